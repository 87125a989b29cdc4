"""Pages of the catalog app (thin: parse, call a service or selector, render): products (list,
detail, form with specification fields from the category), images, grants, the component
editor and the configurator, categories and their attributes, price lists, exchange rates and
DIY designs."""

from functools import wraps

from django.contrib import messages
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shangyou.accounts.views import _apply_form_error
from shangyou.contacts import selectors as contacts
from shangyou.core.decorators import actor_required
from shangyou.core.errors import ApplicationError, NotFound, PermissionDenied
from shangyou.core.pagination import BoundedPaginator
from shangyou.core.selectors import history_for

from . import configurator, diy, selectors, services
from .forms import (
    DESIGN_STATUS_CHOICES,
    AttributeForm,
    CategoryForm,
    DesignForm,
    GrantForm,
    GroupForm,
    ImageForm,
    OptionForm,
    PriceItemForm,
    PriceListForm,
    ProductFilterForm,
    ProductForm,
    RateForm,
    ReviewForm,
    RuleForm,
)
from .models import DiyDesign, Product

PAGE_SIZE = 25
SORTS = ("name", "-name", "sku", "-sku", "price", "-price", "updated", "-updated")


def _forbidden(request):
    error = PermissionDenied(_("Your role is read-only in this company."))
    return render(request, "components/error_page.html", {"error": error}, status=403)


def writer_required(view):
    """Read-only members get a 403 page on every page that changes something."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.actor.can_write:
            return _forbidden(request)
        return view(request, *args, **kwargs)

    return actor_required(wrapper)


def _done(request, text: str, url: str):
    messages.success(request, text)
    return redirect(url)


def _product_url(product_id: int, tab: str = "") -> str:
    url = reverse("catalog:product_detail", args=[product_id])
    return f"{url}#{tab}" if tab else url


def _int(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() else None


# --- pickers (JSON for Tom Select) ---------------------------------------------------------------
@require_GET
@actor_required
def customer_options(request):
    customers = contacts.customer_list(actor=request.actor, q=request.GET.get("q", ""))[:20]
    return JsonResponse([{"value": c.pk, "text": c.name} for c in customers], safe=False)


@require_GET
@actor_required
def product_options(request):
    return JsonResponse(
        selectors.product_options(actor=request.actor, q=request.GET.get("q", "")), safe=False
    )


# --- products -----------------------------------------------------------------------------------
@actor_required
def product_list(request):
    actor = request.actor
    tree = selectors.category_tree(actor=actor)
    form = ProductFilterForm(request.GET or None, tree=tree)
    filters = form.cleaned_data if form.is_valid() else {}
    filters = {k: v for k, v in filters.items() if v not in (None, "")}
    sort = request.GET.get("sort", "name")
    sort = sort if sort in SORTS else "name"
    products = selectors.product_list(
        actor=actor,
        q=filters.get("q", ""),
        category_id=filters.get("category"),
        status=filters.get("status", ""),
        public=filters.get("public"),
        sort=sort,
    )
    page = BoundedPaginator(products, PAGE_SIZE, page_hint=request.GET.get("page")).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "form": form,
        "filters": filters,
        "sort": sort,
        "q": filters.get("q", ""),
    }
    template = "catalog/partials/_product_table.html" if request.htmx else "catalog/list.html"
    return render(request, template, context)


def _product_form(request, *, product=None, data=None):
    actor = request.actor
    tree = selectors.category_tree(actor=actor)
    category_id = _int((data or {}).get("category_id")) if data else None
    if data is None and product is not None:
        category_id = product.category_id
    category = None
    if category_id:
        category = selectors.category_list(actor=actor).filter(pk=category_id).first()
    attributes = services.attributes_for(actor=actor, category=category)
    initial = {
        "status": Product.Status.STANDARD,
        "unit": "pcs",
        "currency": "CNY",
        "tax_rate": "13.00",
        "min_order_quantity": 1,
        "price": 0,
        "is_public": True,
    }
    if product is not None:
        initial = {name: getattr(product, name) for name in ProductForm.MAIN_FIELDS}
        initial.update(
            is_public=product.is_public,
            is_configurable=product.is_configurable,
            description=product.description,
            version=product.version,
        )
        for key, value in (product.specifications or {}).items():
            initial[f"spec_{key}"] = value
    return ProductForm(data, initial=initial, tree=tree, attributes=attributes)


@writer_required
def product_create(request):
    form = _product_form(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(actor=request.actor, data=form.service_data())
        except ApplicationError as exc:
            _apply_spec_errors(form, exc)
        else:
            return _done(
                request,
                _("Product “%(name)s” created.") % {"name": product.name},
                _product_url(product.pk),
            )
    return render(request, "catalog/form.html", {"form": form})


def _apply_spec_errors(form, exc: ApplicationError) -> None:
    errors = getattr(exc, "errors", None) or {}
    if errors:
        for key, messages_ in errors.items():
            name = key.replace("specifications.", "spec_") if key.startswith("spec") else key
            for message in messages_:
                form.add_error(name if name in form.fields else None, message)
    else:
        _apply_form_error(form, exc)


@writer_required
def product_edit(request, product_id: int):
    product = selectors.product_get(actor=request.actor, id=product_id)
    form = _product_form(request, product=product, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(
                actor=request.actor,
                product=product,
                data=form.service_data(),
                version=form.cleaned_data.get("version"),
            )
        except ApplicationError as exc:
            _apply_spec_errors(form, exc)
        else:
            return _done(request, _("Saved."), _product_url(product.pk))
    return render(request, "catalog/form.html", {"form": form, "product": product})


@actor_required
def spec_fields(request):
    """HTMX: the specification fields of the category chosen in the product form."""
    product = None
    if _int(request.GET.get("product")):
        product = selectors.product_get(actor=request.actor, id=_int(request.GET["product"]))
    category_id = _int(request.GET.get("category_id"))
    category = (
        selectors.category_list(actor=request.actor).filter(pk=category_id).first()
        if category_id
        else None
    )
    attributes = services.attributes_for(actor=request.actor, category=category)
    values = (product.specifications or {}) if product else {}
    initial = {f"spec_{k}": v for k, v in values.items()}
    form = ProductForm(initial=initial, attributes=attributes)
    return render(request, "catalog/partials/_spec_fields.html", {"form": form})


@actor_required
def product_detail(request, product_id: int):
    actor = request.actor
    product = selectors.product_get(actor=actor, id=product_id)
    attributes = services.attributes_for(actor=actor, category=product.category)
    labels = {a.key: a for a in attributes}
    specs = [
        (labels[k].label if k in labels else k, v, labels[k].unit if k in labels else "")
        for k, v in (product.specifications or {}).items()
    ]
    context = {
        "product": product,
        "specs": specs,
        "images": selectors.product_images(actor=actor, product=product),
        "prices": selectors.product_prices(actor=actor, product=product),
        "grants": selectors.grant_list(actor=actor, product=product),
        "configurations": selectors.configuration_list(actor=actor, product=product)[:20],
        "groups": selectors.component_groups(actor=actor, product=product),
        "history": history_for(actor=actor, instance=product)[:30],
        "image_form": ImageForm(),
        "grant_form": GrantForm(grades=contacts.grade_list(actor=actor)),
        "lineage": _lineage(actor, product.category),
    }
    return render(request, "catalog/detail.html", context)


def _lineage(actor, category):
    if category is None:
        return []
    ids = services.category_lineage_ids(actor=actor, category=category)
    names = dict(selectors.category_list(actor=actor).filter(pk__in=ids).values_list("pk", "name"))
    return [(pk, names.get(pk, "")) for pk in reversed(ids)]


@require_POST
@writer_required
def product_delete(request, product_id: int):
    product = selectors.product_get(actor=request.actor, id=product_id)
    services.product_delete(actor=request.actor, product=product)
    return _done(
        request,
        _("“%(name)s” moved to the trash.") % {"name": product.name},
        reverse("catalog:product_list"),
    )


@require_POST
@writer_required
def product_image_upload(request, product_id: int):
    product = selectors.product_get(actor=request.actor, id=product_id)
    form = ImageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an image to upload."))
        return redirect(_product_url(product.pk, "images"))
    try:
        services.product_image_add(
            actor=request.actor,
            product=product,
            upload=form.cleaned_data["file"],
            caption=form.cleaned_data["caption"],
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect(_product_url(product.pk, "images"))
    return _done(request, _("Image added."), _product_url(product.pk, "images"))


@require_GET
@actor_required
def product_image(request, product_image_id: int):
    """The image itself, only to members of the company that owns it."""
    image = selectors.product_image_get(actor=request.actor, id=product_image_id)
    response = FileResponse(image.file.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@writer_required
def product_image_delete(request, product_image_id: int):
    image = selectors.product_image_get(actor=request.actor, id=product_image_id)
    services.product_image_delete(actor=request.actor, image=image)
    return _done(request, _("Image removed."), _product_url(image.product_id, "images"))


@require_POST
@writer_required
def grant_create(request, product_id: int):
    actor = request.actor
    product = selectors.product_get(actor=actor, id=product_id)
    form = GrantForm(request.POST, grades=contacts.grade_list(actor=actor))
    back = _product_url(product.pk, "grants")
    if not form.is_valid():
        messages.error(request, _("Choose a customer or a grade."))
        return redirect(back)
    customer_id, grade_id = form.cleaned_data["customer_id"], form.cleaned_data["grade_id"]
    try:
        services.product_grant_create(
            actor=actor,
            product=product,
            customer=contacts.customer_get(actor=actor, id=customer_id) if customer_id else None,
            grade=contacts.grade_get(actor=actor, id=grade_id) if grade_id else None,
        )
    except NotFound:
        messages.error(request, _("That customer was not found."))
        return redirect(back)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect(back)
    return _done(request, _("Access granted."), back)


@require_POST
@writer_required
def grant_delete(request, grant_id: int):
    grant = selectors.grant_get(actor=request.actor, id=grant_id)
    services.product_grant_delete(actor=request.actor, grant=grant)
    return _done(request, _("Access withdrawn."), _product_url(grant.product_id, "grants"))


# --- components and configurator ---------------------------------------------------------------
def _all_options(groups):
    return [o for g in groups for o in g.options.all()]


@actor_required
def components(request, product_id: int):
    """The component editor: groups, their options and the compatibility rules."""
    actor = request.actor
    product = selectors.product_get(actor=actor, id=product_id)
    groups = selectors.component_groups(actor=actor, product=product)
    group_form = GroupForm(request.POST or None, prefix="group")
    if request.method == "POST":
        if not actor.can_write:
            return _forbidden(request)
        if group_form.is_valid():
            try:
                configurator.component_group_create(
                    actor=actor, product=product, data=group_form.cleaned_data
                )
            except ApplicationError as exc:
                _apply_form_error(group_form, exc)
            else:
                return _done(
                    request,
                    _("Group added."),
                    reverse("catalog:components", args=[product.pk]),
                )
    context = {
        "product": product,
        "groups": groups,
        "rules": selectors.compatibility_rules(actor=actor, product=product),
        "group_form": group_form,
        "option_form": OptionForm(prefix="option"),
        "rule_form": RuleForm(options=_all_options(groups), prefix="rule"),
    }
    return render(request, "catalog/components.html", context)


@require_POST
@writer_required
def option_create(request, component_group_id: int):
    group = selectors.component_group_get(actor=request.actor, id=component_group_id)
    back = reverse("catalog:components", args=[group.product_id])
    form = OptionForm(request.POST, prefix="option")
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        messages.error(request, first)
        return redirect(back)
    configurator.component_option_create(actor=request.actor, group=group, data=form.cleaned_data)
    return _done(request, _("Option added."), back)


@require_POST
@writer_required
def group_delete(request, component_group_id: int):
    group = selectors.component_group_get(actor=request.actor, id=component_group_id)
    configurator.component_group_delete(actor=request.actor, group=group)
    return _done(
        request, _("Group removed."), reverse("catalog:components", args=[group.product_id])
    )


@require_POST
@writer_required
def option_delete(request, component_option_id: int):
    option = selectors.component_option_get(actor=request.actor, id=component_option_id)
    configurator.component_option_delete(actor=request.actor, option=option)
    return _done(
        request,
        _("Option removed."),
        reverse("catalog:components", args=[option.group.product_id]),
    )


@require_POST
@writer_required
def rule_create(request, product_id: int):
    actor = request.actor
    product = selectors.product_get(actor=actor, id=product_id)
    back = reverse("catalog:components", args=[product.pk])
    groups = selectors.component_groups(actor=actor, product=product)
    form = RuleForm(request.POST, options=_all_options(groups), prefix="rule")
    if not form.is_valid():
        messages.error(request, _("Choose two options and a rule."))
        return redirect(back)
    configurator.compatibility_rule_create(actor=actor, product=product, **form.cleaned_data)
    return _done(request, _("Rule added."), back)


@require_POST
@writer_required
def rule_delete(request, compat_rule_id: int):
    rule = selectors.compatibility_rule_get(actor=request.actor, id=compat_rule_id)
    configurator.compatibility_rule_delete(actor=request.actor, rule=rule)
    return _done(request, _("Rule removed."), reverse("catalog:components", args=[rule.product_id]))


def _chosen(data) -> list[int] | None:
    if "configured" not in data:
        return None  # first visit: the defaults
    return [
        int(value)
        for key in data
        if key == "option" or key.startswith("option_")
        for value in data.getlist(key)
        if str(value).isdigit()
    ]


@actor_required
def configure(request, product_id: int):
    """The configurator: pick options, see price, specification and errors live (HTMX), save
    (optionally for a customer)."""
    actor = request.actor
    product = selectors.product_get(actor=actor, id=product_id)
    data = request.POST if request.method == "POST" else request.GET
    result = configurator.configuration_compute(
        actor=actor, product=product, option_ids=_chosen(data)
    )
    customer = None
    if request.method == "POST":
        if not actor.can_write:
            return _forbidden(request)
        customer_id = _int(request.POST.get("customer_id"))
        try:
            customer = contacts.customer_get(actor=actor, id=customer_id) if customer_id else None
            configuration = configurator.configuration_save(
                actor=actor,
                product=product,
                option_ids=result.option_ids if result.ok else _chosen(data),
                customer=customer,
                name=request.POST.get("name", ""),
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            return _done(
                request,
                _("Configuration saved."),
                reverse("catalog:configuration_detail", args=[configuration.pk]),
            )
    elif _int(request.GET.get("customer")):
        customer = contacts.customer_get(actor=actor, id=_int(request.GET["customer"]))
    if request.htmx:
        return render(request, "catalog/partials/_configuration_result.html", {"result": result})
    context = {
        "product": product,
        "groups": selectors.component_groups(actor=actor, product=product),
        "result": result,
        "chosen": set(result.option_ids),
        "customer": customer,
    }
    return render(request, "catalog/configure.html", context)


@actor_required
def configuration_detail(request, configuration_id: int):
    configuration = selectors.configuration_get(actor=request.actor, id=configuration_id)
    return render(request, "catalog/configuration.html", {"configuration": configuration})


# --- categories and attributes ------------------------------------------------------------------
@actor_required
def category_index(request):
    actor = request.actor
    tree = selectors.category_tree(actor=actor, with_counts=True)
    form = CategoryForm(request.POST or None, tree=tree, initial={"position": 0})
    if request.method == "POST":
        if not actor.can_write:
            return _forbidden(request)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                category = services.category_create(actor=actor, data=data)
            except ApplicationError as exc:
                _apply_form_error(form, exc)
            else:
                return _done(
                    request,
                    _("Category “%(name)s” created.") % {"name": category.name},
                    reverse("catalog:category_index"),
                )
    return render(request, "catalog/categories.html", {"tree": tree, "form": form})


@actor_required
def category_edit(request, category_id: int):
    actor = request.actor
    category = selectors.category_get(actor=actor, id=category_id)
    tree = [n for n in selectors.category_tree(actor=actor) if n.category.pk != category.pk]
    initial = {
        "name": category.name,
        "code": category.code,
        "parent_id": category.parent_id,
        "position": category.position,
        "description": category.description,
        "version": category.version,
    }
    form = CategoryForm(request.POST or None, tree=tree, initial=initial)
    if request.method == "POST":
        if not actor.can_write:
            return _forbidden(request)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.category_update(actor=actor, category=category, data=data, version=version)
            except ApplicationError as exc:
                _apply_form_error(form, exc)
            else:
                return _done(
                    request, _("Saved."), reverse("catalog:category_edit", args=[category.pk])
                )
    context = {
        "category": category,
        "form": form,
        "attributes": selectors.attribute_list(actor=actor, category=category),
        "inherited": [
            a
            for a in services.attributes_for(actor=actor, category=category)
            if a.category_id != category.pk
        ],
        "attribute_form": AttributeForm(prefix="attr", initial={"position": 0}),
    }
    return render(request, "catalog/category.html", context)


@require_POST
@writer_required
def category_delete(request, category_id: int):
    category = selectors.category_get(actor=request.actor, id=category_id)
    try:
        services.category_delete(actor=request.actor, category=category)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect(reverse("catalog:category_edit", args=[category.pk]))
    return _done(
        request,
        _("“%(name)s” moved to the trash.") % {"name": category.name},
        reverse("catalog:category_index"),
    )


@require_POST
@writer_required
def attribute_create(request, category_id: int):
    category = selectors.category_get(actor=request.actor, id=category_id)
    back = reverse("catalog:category_edit", args=[category.pk])
    form = AttributeForm(request.POST, prefix="attr")
    if not form.is_valid():
        label, errors = next(iter(form.errors.items()))
        name = form.fields[label].label if label in form.fields else ""
        messages.error(request, f"{name}: {errors[0]}" if name else errors[0])
        return redirect(back)
    try:
        services.attribute_create(actor=request.actor, category=category, data=form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect(back)
    return _done(request, _("Specification added."), back)


@require_POST
@writer_required
def attribute_delete(request, attribute_id: int):
    attribute = selectors.attribute_get(actor=request.actor, id=attribute_id)
    services.attribute_delete(actor=request.actor, attribute=attribute)
    return _done(
        request,
        _("Specification removed."),
        reverse("catalog:category_edit", args=[attribute.category_id]),
    )


# --- price lists --------------------------------------------------------------------------------
def _price_list_form(request, data=None, initial=None, price_list=None):
    actor = request.actor
    customer_choices = []
    if price_list is not None and price_list.customer_id:
        customer_choices = [(price_list.customer_id, price_list.customer.name)]
    return PriceListForm(
        data,
        initial=initial,
        grades=contacts.grade_list(actor=actor),
        customer_choices=customer_choices,
        lookup_url=reverse("catalog:customer_options"),
    )


@actor_required
def price_list_index(request):
    actor = request.actor
    form = _price_list_form(request, request.POST or None, initial={"is_active": True})
    if request.method == "POST":
        if not actor.can_write:
            return _forbidden(request)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                price_list = services.price_list_create(actor=actor, data=data)
            except ApplicationError as exc:
                _apply_form_error(form, exc)
            else:
                return _done(
                    request,
                    _("Price list “%(name)s” created.") % {"name": price_list.name},
                    reverse("catalog:price_list_detail", args=[price_list.pk]),
                )
    lists = selectors.price_list_list(actor=actor)
    return render(request, "catalog/price_lists.html", {"lists": lists, "form": form})


@actor_required
def price_list_detail(request, price_list_id: int):
    actor = request.actor
    price_list = selectors.price_list_get(actor=actor, id=price_list_id)
    initial = {
        "name": price_list.name,
        "currency": price_list.currency,
        "grade_id": price_list.grade_id,
        "customer_id": price_list.customer_id,
        "valid_from": price_list.valid_from,
        "valid_to": price_list.valid_to,
        "is_active": price_list.is_active,
        "notes": price_list.notes,
        "version": price_list.version,
    }
    form = _price_list_form(request, request.POST or None, initial=initial, price_list=price_list)
    if request.method == "POST":
        if not actor.can_write:
            return _forbidden(request)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.price_list_update(
                    actor=actor, price_list=price_list, data=data, version=version
                )
            except ApplicationError as exc:
                _apply_form_error(form, exc)
            else:
                return _done(
                    request, _("Saved."), reverse("catalog:price_list_detail", args=[price_list.pk])
                )
    context = {
        "price_list": price_list,
        "form": form,
        "items": selectors.price_list_items(actor=actor, price_list=price_list),
        "item_form": PriceItemForm(lookup_url=reverse("catalog:product_options")),
    }
    return render(request, "catalog/price_list.html", context)


@require_POST
@writer_required
def price_list_delete(request, price_list_id: int):
    price_list = selectors.price_list_get(actor=request.actor, id=price_list_id)
    services.price_list_delete(actor=request.actor, price_list=price_list)
    return _done(
        request,
        _("“%(name)s” moved to the trash.") % {"name": price_list.name},
        reverse("catalog:price_list_index"),
    )


@require_POST
@writer_required
def price_item_set(request, price_list_id: int):
    actor = request.actor
    price_list = selectors.price_list_get(actor=actor, id=price_list_id)
    back = reverse("catalog:price_list_detail", args=[price_list.pk])
    form = PriceItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a product and enter a price."))
        return redirect(back)
    try:
        product = selectors.product_get(actor=actor, id=form.cleaned_data["product_id"])
        services.price_list_item_set(
            actor=actor,
            price_list=price_list,
            product=product,
            price=form.cleaned_data["price"],
            min_quantity=form.cleaned_data["min_quantity"],
        )
    except NotFound:
        messages.error(request, _("That product was not found."))
        return redirect(back)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect(back)
    return _done(request, _("Price saved."), back)


@require_POST
@writer_required
def price_item_delete(request, price_item_id: int):
    item = selectors.price_list_item_get(actor=request.actor, id=price_item_id)
    services.price_list_item_delete(actor=request.actor, item=item)
    return _done(
        request,
        _("Price removed."),
        reverse("catalog:price_list_detail", args=[item.price_list_id]),
    )


# --- exchange rates -----------------------------------------------------------------------------
@actor_required
def rate_index(request):
    actor = request.actor
    form = RateForm(request.POST or None)
    if request.method == "POST":
        if not actor.can_write:
            return _forbidden(request)
        if form.is_valid():
            try:
                services.exchange_rate_create(actor=actor, data=form.cleaned_data)
            except ApplicationError as exc:
                _apply_form_error(form, exc)
            else:
                return _done(request, _("Exchange rate saved."), reverse("catalog:rate_index"))
    rates = selectors.exchange_rate_list(actor=actor)
    return render(request, "catalog/rates.html", {"rates": rates, "form": form})


@require_POST
@writer_required
def rate_delete(request, rate_id: int):
    rate = selectors.exchange_rate_get(actor=request.actor, id=rate_id)
    services.exchange_rate_delete(actor=request.actor, rate=rate)
    return _done(request, _("Exchange rate removed."), reverse("catalog:rate_index"))


# --- DIY designs ----------------------------------------------------------------------------------
@actor_required
def design_list(request):
    status = request.GET.get("status", "")
    status = status if status in DiyDesign.Status.values else ""
    customer_id = _int(request.GET.get("customer"))
    designs = selectors.diy_design_list(actor=request.actor, status=status, customer_id=customer_id)
    page = BoundedPaginator(designs, PAGE_SIZE, page_hint=request.GET.get("page")).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "status": status,
        "statuses": DESIGN_STATUS_CHOICES,
        "customer_id": customer_id,
    }
    return render(request, "catalog/designs.html", context)


@writer_required
def design_create(request):
    actor = request.actor
    customer = None
    customer_id = _int(request.POST.get("customer_id") or request.GET.get("customer"))
    if customer_id:
        customer = contacts.customer_list(actor=actor).filter(pk=customer_id).first()
    form = DesignForm(
        request.POST or None,
        request.FILES or None,
        products=selectors.product_list(actor=actor)[:500],
        lookup_url=reverse("catalog:customer_options"),
        customer=customer,
        initial={"customer_id": customer.pk if customer else None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if customer is None:
                raise NotFound()
            product = (
                selectors.product_get(actor=actor, id=data["product_id"])
                if data["product_id"]
                else None
            )
            design = diy.diy_design_create(
                actor=actor,
                customer=customer,
                title=data["title"],
                description=data["description"],
                upload=data["file"],
                product=product,
            )
        except NotFound:
            form.add_error("customer_id", _("Choose one of your customers."))
        except ApplicationError as exc:
            _apply_form_error(form, exc)
        else:
            return _done(
                request,
                _("Design “%(title)s” recorded.") % {"title": design.title},
                reverse("catalog:design_detail", args=[design.pk]),
            )
    return render(request, "catalog/design_form.html", {"form": form, "customer": customer})


@actor_required
def design_detail(request, design_id: int):
    design = selectors.diy_design_get(actor=request.actor, id=design_id)
    context = {
        "design": design,
        "review_form": ReviewForm(initial={"version": design.version, "note": design.review_note}),
        "history": history_for(actor=request.actor, instance=design)[:30],
    }
    return render(request, "catalog/design.html", context)


@require_POST
@writer_required
def design_review(request, design_id: int):
    design = selectors.diy_design_get(actor=request.actor, id=design_id)
    back = reverse("catalog:design_detail", args=[design.pk])
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect(back)
    try:
        diy.diy_design_review(
            actor=request.actor,
            design=design,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect(back)
    return _done(request, _("Review saved."), back)


@require_POST
@writer_required
def design_feature(request, design_id: int):
    design = selectors.diy_design_get(actor=request.actor, id=design_id)
    back = reverse("catalog:design_detail", args=[design.pk])
    featured = request.POST.get("featured", "1") == "1"
    try:
        diy.diy_design_feature(actor=request.actor, design=design, featured=featured)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect(back)
    return _done(request, _("Featured.") if featured else _("No longer featured."), back)


@require_GET
@actor_required
def design_file(request, design_id: int):
    design = selectors.diy_design_get(actor=request.actor, id=design_id)
    if not design.file:
        raise NotFound()
    return FileResponse(design.file.open("rb"), as_attachment=True, filename=design.file_name)


@require_POST
@writer_required
def design_delete(request, design_id: int):
    design = selectors.diy_design_get(actor=request.actor, id=design_id)
    diy.diy_design_delete(actor=request.actor, design=design)
    return _done(
        request,
        _("“%(title)s” moved to the trash.") % {"title": design.title},
        reverse("catalog:design_list"),
    )
