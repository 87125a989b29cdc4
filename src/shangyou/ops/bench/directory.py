"""Platform data: public company profiles for the generated tenants, and `--directory-companies
N` extra member companies (with profiles: main products, industries, region) for the directory
search scenario.

A directory company is made twice from the same RNG: first its `accounts_company` row, then —
once the ids are known — its profile, with the search columns from the model's own
`refresh_search()`.
"""

import random

from django.db import connection

from shangyou.accounts.models import Company
from shangyou.network.models import Audience, CompanyProfile

from . import names
from .generate import (
    ANCHOR,
    CHUNK_ROWS,
    HISTORY,
    Chunk,
    ChunkedTable,
    GenerateContext,
    RowTemplate,
    TableResult,
    register,
    slug_prefix,
)

#: Main products by industry (the industry words of `names.INDUSTRIES`), for profiles and for
#: product-keyword queries.
PRODUCTS_BY_INDUSTRY = {
    "机械": ["数控机床", "减速机", "液压泵", "传送带", "包装机械", "空压机"],
    "精密机械": ["精密齿轮", "直线导轨", "滚珠丝杠", "数控刀具"],
    "电子": ["PCB电路板", "连接器", "传感器", "电源适配器", "继电器"],
    "电子科技": ["蓝牙模块", "LED驱动电源", "智能开关", "电子标签"],
    "科技": ["智能门锁", "工业网关", "物联网模块", "扫码枪"],
    "信息技术": ["ERP软件", "工业软件", "数据采集终端"],
    "网络科技": ["交换机", "路由器", "光纤收发器"],
    "贸易": ["不锈钢板", "铜材", "化工原料", "电子元器件"],
    "进出口": ["家居用品", "小家电", "五金工具", "纺织面料"],
    "工贸": ["五金配件", "塑料制品", "金属冲压件"],
    "实业": ["铝型材", "钢结构", "建筑模板"],
    "五金": ["不锈钢螺丝", "五金工具", "门窗配件", "紧固件"],
    "化工": ["环氧树脂", "工业涂料", "胶粘剂", "表面活性剂"],
    "纺织": ["涤纶面料", "无纺布", "棉纱", "功能性面料"],
    "服装": ["工作服", "T恤", "羽绒服", "运动服"],
    "制衣": ["衬衫", "校服", "工装"],
    "食品": ["速冻食品", "调味品", "休闲零食", "茶叶"],
    "建材": ["瓷砖", "防水涂料", "石膏板", "铝塑板"],
    "材料": ["碳纤维", "工程塑料", "复合材料"],
    "物流": ["冷链运输", "仓储服务", "国际货代"],
    "医疗器械": ["医用口罩", "一次性注射器", "血压计", "康复器械"],
    "汽车配件": ["刹车片", "汽车滤清器", "轮毂", "雨刮器"],
    "塑胶": ["注塑件", "塑料托盘", "PE薄膜"],
    "包装": ["纸箱包装", "彩盒", "气泡袋", "木托盘"],
    "印刷": ["不干胶标签", "画册印刷", "包装印刷"],
    "家具": ["办公家具", "实木沙发", "酒店家具"],
    "照明": ["LED面板灯", "路灯", "投光灯", "筒灯"],
    "电气": ["变频器", "断路器", "配电柜", "伺服电机"],
    "环保": ["污水处理设备", "除尘器", "废气处理设备"],
    "新能源": ["光伏组件", "锂电池模组", "充电桩", "储能系统"],
    "生物科技": ["酶制剂", "益生菌", "植物提取物"],
    "农业科技": ["有机肥料", "种子", "滴灌设备"],
    "模具": ["注塑模具", "冲压模具", "压铸模具"],
    "阀门": ["不锈钢阀门", "球阀", "蝶阀", "闸阀"],
    "轴承": ["深沟球轴承", "圆锥滚子轴承", "关节轴承"],
    "光电": ["光纤激光器", "红外探测器", "光学镜片"],
}
TAGLINES = (
    "专业生产{p}，{y}年行业经验", "{p}源头厂家，支持定制", "{city}{p}优质供应商",
    "一站式{p}解决方案", "出口品质{p}，欢迎询价", "{p}研发、生产、销售一体化",
)  # fmt: skip
MEMBER_TYPES = names.Weighted([("supplier", 45), ("buyer", 20), ("both", 35)])
VISIBILITY = names.Weighted(
    [(Audience.EVERYONE, 40), (Audience.FRIENDS, 50), (Audience.NOBODY, 10)]
)


def _products(industry: str) -> list[str]:
    for key in (industry, industry[:2], industry[-2:]):
        if key in PRODUCTS_BY_INDUSTRY:
            return PRODUCTS_BY_INDUSTRY[key]
    return PRODUCTS_BY_INDUSTRY["贸易"]


def directory_company(rng: random.Random) -> dict:
    """One member company and its public profile (no ids)."""
    name, brand, city, industry = names.chinese_company(rng)
    products = _products(industry)
    chosen = rng.sample(products, k=min(len(products), rng.randrange(2, 5)))
    year = rng.randrange(1985, 2025)
    created = ANCHOR - HISTORY * rng.random()
    second = names.INDUSTRIES.pick(rng) if rng.random() < 0.3 else ""
    brand_ascii = "".join(c for c in (names_pinyin(brand)) if c.isalnum()) or "co"
    return {
        "company": {
            "name": name,
            "member_type": MEMBER_TYPES.pick(rng),
            "is_verified": rng.random() < 0.1,
            "created_at": created,
        },
        "profile": {
            "is_public": rng.random() < 0.95,
            "tagline": TAGLINES[rng.randrange(len(TAGLINES))].format(
                p=chosen[0], y=2026 - year, city=city.name
            ),
            "description": (
                f"{name}成立于{year}年，位于{names.region_label(city)}，主营"
                f"{'、'.join(chosen)}，产品销往全国及海外。"
            ),
            "main_products": "、".join(chosen),
            "industries": "、".join(dict.fromkeys(x for x in (industry, second) if x)),
            "country": "中国",
            "province": city.province,
            "city": city.name,
            "year_founded": year,
            "website": f"https://www.{brand_ascii}{rng.randrange(1, 1000)}.example.cn",
            "contact_name": names.chinese_person(rng),
            "phone": names.landline(rng, city),
            "email": names.company_email(rng, brand_ascii),
            "address": f"{city.name}市{rng.choice(('高新区', '经济开发区', '工业园区', '新区'))}"
            f"{rng.randrange(1, 300)}号",
            "contact_visibility": str(VISIBILITY.pick(rng)),
            "friend_approval": rng.random() < 0.8,
            "message_audience": str(Audience.EVERYONE),
            "created_at": created,
        },
    }


def names_pinyin(text: str) -> str:
    from shangyou.core.search import pinyin_forms

    forms = pinyin_forms(text)
    return forms[1] if forms else text.lower()


def _dir_rng(seed: int, chunk_index: int) -> random.Random:
    return random.Random(f"{seed}:directory:{chunk_index}")


def directory_slug(seed: int, n: int) -> str:
    return f"{slug_prefix(seed)}d{n:07d}"


def directory_company_rows(chunk: Chunk) -> list[tuple]:
    (first,) = chunk.params
    rng = _dir_rng(chunk.seed, chunk.chunk_index)
    template = RowTemplate(Company)
    rows = []
    for n in range(first, first + chunk.rows):
        company = directory_company(rng)["company"]
        rows.append(
            template.row(
                company,
                slug=directory_slug(chunk.seed, n),
                updated_at=company["created_at"],
                currency="CNY",
                is_active=True,
            )
        )
    return rows


def directory_profile_rows(chunk: Chunk) -> list[tuple]:
    first, company_ids = chunk.params
    rng = _dir_rng(chunk.seed, chunk.chunk_index)
    template = RowTemplate(CompanyProfile)
    holder = Company(name="")
    profile = CompanyProfile(company=holder)
    rows = []
    for company_id in company_ids:
        made = directory_company(rng)
        holder.name = made["company"]["name"]
        holder.is_verified = made["company"]["is_verified"]
        data = made["profile"]
        profile.__dict__.update(data)
        # The model's own derived columns: search (name, products, region …) and the
        # directory's order (the company's name and badge).
        profile.refresh_search()
        rows.append(
            template.row(
                data,
                company_id=company_id,
                updated_at=data["created_at"],
                search_text=profile.search_text,
                search_grams=profile.search_grams,
                company_name=profile.company_name,
                company_verified=profile.company_verified,
            )
        )
    return rows


class _DirectoryCompanies(ChunkedTable):
    name = "directory_companies"
    model = Company
    rows_fn = staticmethod(directory_company_rows)

    def chunks(self, ctx: GenerateContext) -> list[Chunk]:
        n = ctx.options.directory_companies
        return [
            Chunk(ctx.options.seed, self.name, 0, i, min(CHUNK_ROWS, n - start), (start,))
            for i, start in enumerate(range(0, n, CHUNK_ROWS))
        ]


class _DirectoryProfiles(ChunkedTable):
    name = "directory_profiles"
    model = CompanyProfile
    rows_fn = staticmethod(directory_profile_rows)

    def chunks(self, ctx: GenerateContext) -> list[Chunk]:
        seed = ctx.options.seed
        ids = list(
            Company.objects.filter(slug__startswith=f"{slug_prefix(seed)}d")
            .order_by("slug")
            .values_list("pk", flat=True)
        )
        return [
            Chunk(seed, self.name, 0, i, len(ids[start : start + CHUNK_ROWS]),
                  (start, tuple(ids[start : start + CHUNK_ROWS])))
            for i, start in enumerate(range(0, len(ids), CHUNK_ROWS))
        ]  # fmt: skip


@register
class ProfilesGenerator(ChunkedTable):
    """Public profiles of the generated tenants, then the extra directory companies."""

    name = "profiles"
    model = CompanyProfile

    def run(self, ctx: GenerateContext) -> TableResult:
        import time

        started = time.perf_counter()
        rows = 0
        rng = ctx.rng("profiles")
        for plan in ctx.companies:
            if CompanyProfile.objects.filter(company_id=plan.company_id).exists():
                continue
            made = directory_company(rng)["profile"]
            made.pop("created_at")
            made["is_public"] = True
            company = Company.objects.get(pk=plan.company_id)
            profile = CompanyProfile(company=company, **made)
            profile.refresh_search()
            profile.save()
            rows += 1
        n = ctx.options.directory_companies
        if n:
            seed = ctx.options.seed
            if Company.objects.filter(slug=directory_slug(seed, 0)).exists():
                raise RuntimeError(
                    f"Directory companies for seed {seed} are already in this database."
                )
            companies = _DirectoryCompanies().run(ctx)
            ctx.results.append(companies)
            profiles = _DirectoryProfiles().run(ctx)
            ctx.results.append(profiles)
            rows += profiles.rows
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {Company._meta.db_table}")
        # The directory's tables are recorded above; this line sums up (hidden in the docs table).
        return TableResult("profiles (total)", rows, time.perf_counter() - started)


# The directory companies' public products register after the profiles they are made from.
from . import directory_products  # noqa: E402, F401
