"""Demo orders (`shangyou demo`): a few orders over the company's customers in several states —
a draft, a confirmed one, one partly shipped with a tracking number, one invoiced and partly
paid, one completed and paid, one cancelled. Lines come from catalog products when the company
has some, free text otherwise."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from shangyou.accounts.selectors import actor_from_membership
from shangyou.contacts.models import Customer

from . import billing, services, shipping
from .services import LineInput

FREE_LINES = [
    ("不锈钢离心泵 CP-50", "台", Decimal("2680.00")),
    ("密封圈套装", "套", Decimal("45.50")),
    ("安装调试服务", "次", Decimal("800.00")),
]


def _lines(actor, customer, products, n: int) -> list[LineInput]:
    result = []
    for i in range(2):
        quantity = Decimal(5 * (n + i + 1))
        if products:
            product = products[(n + i) % len(products)]
            result.append(
                services.line_from_product(
                    actor=actor, product_id=product.pk, customer=customer, quantity=quantity
                )
            )
        else:
            name, unit, price = FREE_LINES[(n + i) % len(FREE_LINES)]
            result.append(
                LineInput(
                    description=name, quantity=quantity, unit=unit, unit_price=price,
                    tax_rate=Decimal(13),
                )
            )  # fmt: skip
    return result


def load_demo(*, company, members) -> None:
    from shangyou.catalog.models import Product

    customers = list(
        Customer.objects.filter(company=company, is_blacklisted=False).order_by("id")[:6]
    )
    if not customers:
        return
    products = list(Product.objects.filter(company=company, price__gt=0).order_by("id")[:6])
    today = timezone.localdate()
    for n, state in enumerate(
        ("draft", "confirmed", "partly_shipped", "invoiced", "completed", "cancelled")
    ):
        customer = customers[n % len(customers)]
        membership = members.get("sales" if n % 2 == 0 else "sales2") or members["owner"]
        actor = actor_from_membership(membership)
        if customer.owner_id and customer.owner_id != actor.user_id:
            actor = actor_from_membership(members["owner"])
        order = services.order_create(
            actor=actor,
            customer=customer,
            lines=_lines(actor, customer, products, n),
            order_date=today - timedelta(days=40 - n * 6),
            requested_date=today + timedelta(days=10 + n),
            ship_to_name=customer.name,
            ship_to_phone=customer.phone,
            ship_to_address=customer.address,
        )
        if state == "draft":
            continue
        order = services.order_confirm(actor=actor, order=order)
        if state == "confirmed":
            continue
        if state == "cancelled":
            services.order_cancel(actor=actor, order=order, reason="客户取消采购计划")
            continue
        lines = list(order.lines.order_by("position"))
        if state == "partly_shipped":
            shipment = shipping.shipment_create(
                actor=actor,
                order=order,
                quantities={lines[0].pk: lines[0].quantity},
                carrier="顺丰速运",
                tracking_number=f"SF{company.pk:04d}{order.pk:08d}",
            )
            shipping.shipment_event_add(
                actor=actor, shipment=shipment, status="in_transit", location="苏州转运中心"
            )
            continue
        shipping.shipment_create(
            actor=actor,
            order=order,
            quantities={line.pk: line.quantity for line in lines},
            carrier="德邦物流",
            tracking_number=f"DB{company.pk:04d}{order.pk:08d}",
        )
        invoice = billing.invoice_create(
            actor=actor, order=order, issue_date=order.order_date + timedelta(days=3)
        )
        if state == "invoiced":
            billing.payment_create(
                actor=actor, invoice=invoice, amount=(invoice.total / 2).quantize(Decimal("0.01"))
            )
            continue
        billing.payment_create(actor=actor, invoice=invoice, amount=invoice.total, method="alipay")
        services.order_complete(actor=actor, order=order)
