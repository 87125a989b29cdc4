"""Demo catalogue for each demo company: categories with typed specifications, a dozen products
(one configurable industrial PC with an excludes rule, one private product granted to the VIP
grade), a general and a VIP price list, USD/EUR exchange rates. Built through the services."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from shangyou.accounts.selectors import actor_from_membership
from shangyou.contacts.models import Customer, Grade

from . import configurator, services

CATEGORIES = [
    # (key, name, parent key, code, attributes: (key, label, type, unit, choices, required))
    ("machinery", "机械设备", None, "MCH", [
        ("power_kw", "功率", "number", "kW", [], True),
        ("voltage", "电压", "choice", "V", ["220", "380"], False),
    ]),
    ("cnc", "数控机床", "machinery", "CNC", [
        ("travel_mm", "行程", "number", "mm", [], False),
    ]),
    ("parts", "零部件", None, "PRT", [
        ("material", "材质", "choice", "", ["钢", "不锈钢", "铝合金", "铜"], False),
        ("weight_g", "重量", "number", "g", [], False),
    ]),
    ("electronics", "电子产品", None, "ELC", [
        ("ip_rating", "防护等级", "text", "", [], False),
        ("fanless", "无风扇", "boolean", "", [], False),
    ]),
]  # fmt: skip

PRODUCTS = [
    # (sku, name, name_en, category, price, unit, status, public, specs)
    ("CNC-VMC850", "立式加工中心 VMC850", "Vertical machining centre VMC850", "cnc",
     "268000", "台", "standard", True, {"power_kw": "11", "voltage": "380", "travel_mm": "800"}),
    ("CNC-CK6150", "数控车床 CK6150", "CNC lathe CK6150", "cnc", "135000", "台", "standard",
     True, {"power_kw": "7.5", "voltage": "380", "travel_mm": "1000"}),
    ("MCH-HP200", "液压机 200吨", "Hydraulic press 200 t", "machinery", "98000", "台",
     "standard", True, {"power_kw": "15", "voltage": "380"}),
    ("MCH-AGV-X", "智能搬运机器人（概念）", "AGV concept", "machinery", "0", "台", "concept",
     True, {"power_kw": "1.2"}),
    ("PRT-6205", "深沟球轴承 6205", "Deep groove ball bearing 6205", "parts", "18.5", "个",
     "standard", True, {"material": "钢", "weight_g": "128"}),
    ("PRT-6205-SS", "不锈钢轴承 6205", "Stainless bearing 6205", "parts", "46", "个",
     "standard", True, {"material": "不锈钢", "weight_g": "130"}),
    ("PRT-HC-63", "液压油缸 Φ63", "Hydraulic cylinder 63 mm", "parts", "1280", "件",
     "standard", True, {"material": "钢"}),
    ("PRT-GEAR-M2", "直齿轮 M2", "Spur gear M2", "parts", "65", "个", "standard", True,
     {"material": "钢", "weight_g": "210"}),
    ("PRT-CU-BUSH", "铜轴套", "Bronze bushing", "parts", "22", "个", "discontinued", True,
     {"material": "铜"}),
    ("ELC-SENSOR-T1", "温度传感器 T1", "Temperature sensor T1", "electronics", "85", "个",
     "standard", True, {"ip_rating": "IP67", "fanless": True}),
    ("ELC-PLC-S7", "PLC 控制器 S7 兼容", "PLC controller (S7 compatible)", "electronics",
     "3650", "台", "standard", True, {"ip_rating": "IP20", "fanless": True}),
    ("ELC-CUSTOM-GW", "定制网关（VIP 专供）", "Custom gateway (VIP only)", "electronics",
     "2200", "台", "standard", False, {"ip_rating": "IP54", "fanless": True}),
]  # fmt: skip

IPC_GROUPS = [
    # (group, required, multiple, options: (name, delta, specs, default))
    ("处理器 CPU", True, False, [
        ("Intel i5-12400", "0", {"cpu": "i5-12400"}, True),
        ("Intel i7-12700", "1200", {"cpu": "i7-12700"}, False),
        ("Intel i9-12900（需加强散热）", "2600", {"cpu": "i9-12900"}, False),
    ]),
    ("内存", True, False, [
        ("8GB DDR4", "0", {"memory_gb": "8"}, True),
        ("16GB DDR4", "380", {"memory_gb": "16"}, False),
        ("32GB DDR4", "900", {"memory_gb": "32"}, False),
    ]),
    ("硬盘", True, True, [
        ("256GB SSD", "0", {"storage": "256GB SSD"}, True),
        ("1TB SSD", "520", {"storage": "1TB SSD"}, False),
        ("2TB HDD", "360", {"storage_2": "2TB HDD"}, False),
    ]),
    ("机箱", True, False, [
        ("无风扇机箱", "450", {"fanless": True}, False),
        ("标准风冷机箱", "0", {"fanless": False}, True),
    ]),
]  # fmt: skip


def load_demo(*, company, members) -> None:
    actor = actor_from_membership(members["owner"])
    today = timezone.localdate()
    categories = {}
    for key, name, parent, code, attributes in CATEGORIES:
        category = services.category_create(
            actor=actor,
            data={
                "name": name,
                "code": code,
                "parent_id": categories[parent].pk if parent else None,
                "position": len(categories),
            },
        )
        categories[key] = category
        for position, (akey, label, kind, unit, choices, required) in enumerate(attributes):
            services.attribute_create(
                actor=actor,
                category=category,
                data={
                    "key": akey,
                    "label": label,
                    "type": kind,
                    "unit": unit,
                    "choices": choices,
                    "required": required,
                    "position": position,
                },
            )
    products = {}
    for sku, name, name_en, category, price, unit, status, public, specs in PRODUCTS:
        products[sku] = services.product_create(
            actor=actor,
            data={
                "sku": sku,
                "name": name,
                "name_en": name_en,
                "category_id": categories[category].pk,
                "price": Decimal(price),
                "unit": unit,
                "status": status,
                "is_public": public,
                "specifications": specs,
                "description": f"{name}，源头工厂直供，支持定制。",
            },
        )
    ipc = services.product_create(
        actor=actor,
        data={
            "sku": "ELC-IPC-700",
            "name": "工控机 IPC-700",
            "name_en": "Industrial PC IPC-700",
            "category_id": categories["electronics"].pk,
            "price": Decimal(4200),
            "unit": "台",
            "specifications": {"ip_rating": "IP40"},
            "description": "可选配处理器、内存、硬盘和机箱的工业计算机。",
        },
    )
    options = {}
    for position, (group_name, required, multiple, group_options) in enumerate(IPC_GROUPS):
        group = configurator.component_group_create(
            actor=actor,
            product=ipc,
            data={
                "name": group_name,
                "required": required,
                "allow_multiple": multiple,
                "position": position,
            },
        )
        for i, (name, delta, specs, default) in enumerate(group_options):
            options[name] = configurator.component_option_create(
                actor=actor,
                group=group,
                data={
                    "name": name,
                    "price_delta": Decimal(delta),
                    "specifications": specs,
                    "is_default": default,
                    "position": i,
                },
            )
    ipc.refresh_from_db()
    configurator.compatibility_rule_create(
        actor=actor,
        product=ipc,
        option_id=options["Intel i9-12900（需加强散热）"].pk,
        kind="excludes",
        other_id=options["无风扇机箱"].pk,
        message="i9 处理器发热大，不能装在无风扇机箱里。",
    )
    # prices
    general = services.price_list_create(
        actor=actor,
        data={
            "name": "2026 标准价目表",
            "currency": "CNY",
            "valid_from": today - timedelta(days=60),
        },
    )
    for sku in ("PRT-6205", "PRT-6205-SS", "PRT-GEAR-M2", "ELC-SENSOR-T1"):
        product = products[sku]
        services.price_list_item_set(
            actor=actor, price_list=general, product=product, price=product.price
        )
        services.price_list_item_set(
            actor=actor,
            price_list=general,
            product=product,
            price=(product.price * Decimal("0.9")).quantize(Decimal("0.01")),
            min_quantity=Decimal(100),
        )
    vip = Grade.objects.filter(company=company, code="VIP").first()
    if vip is not None:
        vip_list = services.price_list_create(
            actor=actor, data={"name": "VIP 价目表", "currency": "CNY", "grade_id": vip.pk}
        )
        for sku in ("CNC-VMC850", "PRT-6205", "ELC-PLC-S7", "ELC-CUSTOM-GW"):
            product = products[sku]
            services.price_list_item_set(
                actor=actor,
                price_list=vip_list,
                product=product,
                price=(product.price * Decimal("0.92")).quantize(Decimal("0.01")),
            )
        services.product_grant_create(actor=actor, product=products["ELC-CUSTOM-GW"], grade=vip)
    buyer = Customer.objects.filter(company=company, name="Global Parts GmbH").first()
    if buyer is not None:  # a foreign customer buys in USD
        export = services.price_list_create(
            actor=actor,
            data={"name": "Global Parts (USD)", "currency": "USD", "customer_id": buyer.pk},
        )
        for sku, usd in (("CNC-VMC850", "38500"), ("PRT-6205", "2.80"), ("ELC-PLC-S7", "520")):
            services.price_list_item_set(
                actor=actor, price_list=export, product=products[sku], price=Decimal(usd)
            )
    for currency, rates in (("USD", ("7.1800", "7.1250")), ("EUR", ("7.8200", "7.7600"))):
        for days_ago, rate in zip((90, 7), rates, strict=True):
            services.exchange_rate_create(
                actor=actor,
                data={
                    "currency": currency,
                    "rate": Decimal(rate),
                    "valid_on": today - timedelta(days=days_ago),
                },
            )
