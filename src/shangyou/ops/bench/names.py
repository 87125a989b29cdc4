"""Realistic names, places, phones and emails for generated data.

Every function takes the caller's `random.Random`, so a seed fixes the output. Weights follow
real frequencies roughly (the surname table is close to the 2020 census shares), which matters
for search benchmarks: "张伟" is common, "诸葛" is rare, like in a real address book.
"""

import bisect
import itertools
import random
from dataclasses import dataclass


class Weighted:
    """Pick from (value, weight) pairs in O(log n) with the caller's RNG."""

    def __init__(self, pairs):
        self.values = [v for v, _w in pairs]
        self.cum = list(itertools.accumulate(w for _v, w in pairs))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.total)]


def zipf(values, s: float = 1.0) -> Weighted:
    """Earlier values are more frequent (rank-frequency ~ 1/rank^s)."""
    return Weighted([(v, 1.0 / (i + 1) ** s) for i, v in enumerate(values)])


# --- Chinese people -----------------------------------------------------------------------------
SURNAMES = Weighted(
    [
        ("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 5.3), ("杨", 3.1),
        ("黄", 2.4), ("赵", 2.3), ("吴", 2.0), ("周", 1.9), ("徐", 1.7), ("孙", 1.5),
        ("马", 1.4), ("朱", 1.3), ("胡", 1.3), ("郭", 1.2), ("何", 1.2), ("林", 1.1),
        ("罗", 1.0), ("高", 1.0), ("郑", 0.9), ("梁", 0.9), ("谢", 0.8), ("宋", 0.7),
        ("唐", 0.7), ("许", 0.7), ("韩", 0.6), ("邓", 0.6), ("冯", 0.6), ("曹", 0.6),
        ("彭", 0.6), ("曾", 0.6), ("肖", 0.6), ("田", 0.5), ("董", 0.5), ("潘", 0.5),
        ("袁", 0.5), ("蔡", 0.5), ("蒋", 0.5), ("余", 0.5), ("于", 0.5), ("杜", 0.4),
        ("叶", 0.4), ("程", 0.4), ("魏", 0.4), ("苏", 0.4), ("吕", 0.4), ("丁", 0.4),
        ("任", 0.4), ("卢", 0.4), ("姚", 0.4), ("沈", 0.4), ("钟", 0.3), ("姜", 0.3),
        ("崔", 0.3), ("谭", 0.3), ("陆", 0.3), ("范", 0.3), ("汪", 0.3), ("廖", 0.3),
        ("石", 0.3), ("金", 0.3), ("韦", 0.3), ("贾", 0.3), ("夏", 0.3), ("付", 0.3),
        ("方", 0.3), ("邹", 0.2), ("熊", 0.2), ("白", 0.2), ("孟", 0.2), ("秦", 0.2),
        ("邱", 0.2), ("侯", 0.2), ("江", 0.2), ("尹", 0.2), ("薛", 0.2), ("闫", 0.2),
        ("段", 0.2), ("雷", 0.2), ("龙", 0.2), ("黎", 0.2), ("史", 0.2), ("陶", 0.2),
        ("贺", 0.2), ("毛", 0.2), ("郝", 0.2), ("顾", 0.2), ("龚", 0.2), ("邵", 0.2),
        ("万", 0.2), ("覃", 0.2), ("武", 0.2), ("钱", 0.2), ("戴", 0.2), ("严", 0.2),
        ("欧阳", 0.05), ("上官", 0.02), ("司马", 0.02), ("诸葛", 0.01),
    ]
)  # fmt: skip
GIVEN_SINGLE = zipf(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲斌鹏辉红宇浩凯婷雪琳晨欣博帆鑫颖倩佳",
    s=0.8,
)
GIVEN_FIRST = zipf("建志文晓海春国立小永俊金红丽玉秀子梓雨思欣一嘉佳家宇浩明天振德晨诗婉雅", 0.6)
GIVEN_SECOND = zipf("华明平国军伟芳英林峰涛杰磊辉轩涵萱怡琪然宁婷洋东强成龙兰梅霞文静亮飞", 0.6)


def chinese_person(rng: random.Random) -> str:
    surname = SURNAMES.pick(rng)
    if rng.random() < 0.3:
        return surname + GIVEN_SINGLE.pick(rng)
    return surname + GIVEN_FIRST.pick(rng) + GIVEN_SECOND.pick(rng)


# --- places ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class City:
    province: str
    name: str
    area_code: str


_CITIES = [
    # (province, city, area code, weight)
    ("北京", "北京", "010", 6), ("上海", "上海", "021", 7), ("天津", "天津", "022", 2),
    ("重庆", "重庆", "023", 2), ("广东", "广州", "020", 5), ("广东", "深圳", "0755", 6),
    ("广东", "东莞", "0769", 3), ("广东", "佛山", "0757", 3), ("广东", "珠海", "0756", 1),
    ("广东", "中山", "0760", 1), ("广东", "汕头", "0754", 1), ("浙江", "杭州", "0571", 4),
    ("浙江", "宁波", "0574", 3), ("浙江", "温州", "0577", 2), ("浙江", "义乌", "0579", 2),
    ("浙江", "绍兴", "0575", 1), ("浙江", "台州", "0576", 1), ("浙江", "嘉兴", "0573", 1),
    ("江苏", "南京", "025", 3), ("江苏", "苏州", "0512", 4), ("江苏", "无锡", "0510", 2),
    ("江苏", "常州", "0519", 2), ("江苏", "南通", "0513", 1), ("江苏", "徐州", "0516", 1),
    ("江苏", "昆山", "0512", 1), ("山东", "济南", "0531", 2), ("山东", "青岛", "0532", 3),
    ("山东", "烟台", "0535", 1), ("山东", "潍坊", "0536", 1), ("山东", "临沂", "0539", 1),
    ("福建", "福州", "0591", 2), ("福建", "厦门", "0592", 2), ("福建", "泉州", "0595", 2),
    ("福建", "晋江", "0595", 1), ("四川", "成都", "028", 3), ("四川", "绵阳", "0816", 1),
    ("湖北", "武汉", "027", 3), ("湖北", "宜昌", "0717", 1), ("湖南", "长沙", "0731", 2),
    ("湖南", "株洲", "0731", 1), ("河南", "郑州", "0371", 2), ("河南", "洛阳", "0379", 1),
    ("河北", "石家庄", "0311", 1), ("河北", "保定", "0312", 1), ("河北", "唐山", "0315", 1),
    ("安徽", "合肥", "0551", 2), ("安徽", "芜湖", "0553", 1), ("陕西", "西安", "029", 2),
    ("辽宁", "沈阳", "024", 1), ("辽宁", "大连", "0411", 2), ("江西", "南昌", "0791", 1),
    ("广西", "南宁", "0771", 1), ("广西", "柳州", "0772", 1), ("云南", "昆明", "0871", 1),
    ("黑龙江", "哈尔滨", "0451", 1), ("吉林", "长春", "0431", 1), ("山西", "太原", "0351", 1),
    ("贵州", "贵阳", "0851", 1), ("新疆", "乌鲁木齐", "0991", 1), ("甘肃", "兰州", "0931", 1),
    ("内蒙古", "呼和浩特", "0471", 1), ("海南", "海口", "0898", 1),
]  # fmt: skip
CITIES = Weighted([(City(p, c, a), w) for p, c, a, w in _CITIES])
MUNICIPALITIES = frozenset({"北京", "上海", "天津", "重庆"})


def region_label(city: City) -> str:
    """'浙江省 杭州市', '上海市'."""
    if city.province in MUNICIPALITIES:
        return f"{city.name}市"
    suffix = "" if city.province in {"广西", "新疆", "内蒙古"} else "省"
    return f"{city.province}{suffix} {city.name}市"


# --- Chinese companies ----------------------------------------------------------------------
BRAND_FIRST = zipf("恒华鑫宏金永瑞嘉天中博新联东长富兴盛德明海君正泰通达远丰源昌隆利安信", 0.4)
BRAND_SECOND = zipf("通盛达远泰兴丰禾成科雅华创方城康隆世信辉纳诚邦业汇升宇光润鼎顺祥", 0.4)
INDUSTRIES = zipf(
    [
        "机械", "电子", "科技", "贸易", "五金", "化工", "纺织", "服装", "食品", "建材",
        "物流", "医疗器械", "汽车配件", "塑胶", "包装", "印刷", "家具", "照明", "电气",
        "环保", "新能源", "信息技术", "网络科技", "生物科技", "农业科技", "进出口", "实业",
        "精密机械", "电子科技", "工贸", "制衣", "模具", "阀门", "轴承", "光电", "材料",
    ],
    0.5,
)  # fmt: skip
COMPANY_FORMS = Weighted(
    [("有限公司", 70), ("股份有限公司", 8), ("有限责任公司", 10), ("厂", 5), ("商行", 4),
     ("（集团）有限公司", 3)]
)  # fmt: skip


def chinese_company(rng: random.Random) -> tuple[str, str, City, str]:
    """(name, brand, city, industry): '杭州恒通机械有限公司', '恒通', City(浙江, 杭州), '机械'."""
    city = CITIES.pick(rng)
    brand = BRAND_FIRST.pick(rng) + BRAND_SECOND.pick(rng)
    form = COMPANY_FORMS.pick(rng)
    industry = INDUSTRIES.pick(rng)
    if form == "厂":
        industry = industry[:2]
    roll = rng.random()
    if roll < 0.7:
        prefix = city.name
    elif roll < 0.8:
        prefix = city.name + "市"
    elif roll < 0.9:
        prefix = city.province
    else:
        prefix = ""
    return f"{prefix}{brand}{industry}{form}", brand, city, industry


# --- English names ---------------------------------------------------------------------------
EN_FIRST = zipf(
    ["Emily", "David", "Michael", "Sarah", "James", "Anna", "Daniel", "Laura", "Kevin",
     "Grace", "Peter", "Linda", "Thomas", "Olivia", "Mark", "Sophie", "Jason", "Helen",
     "Lucas", "Mia", "Eric", "Julia", "Ryan", "Chloe"],
    0.5,
)  # fmt: skip
EN_LAST = zipf(
    ["Smith", "Zhou", "Wang", "Johnson", "Lee", "Brown", "Chen", "Miller", "Wong",
     "Garcia", "Müller", "Schmidt", "Tan", "Lim", "Davis", "Wilson", "Martin", "Nguyen",
     "Kim", "Taylor", "Anderson", "Thomas", "Moore", "Clark"],
    0.5,
)  # fmt: skip
EN_BRANDS = zipf(
    ["Acme", "Global", "Pacific", "Orient", "Summit", "Apex", "Silverline", "Northstar",
     "Bluewave", "Evergreen", "Harbor", "Keystone", "Meridian", "Pioneer", "Redwood",
     "Sterling", "Trident", "Unity", "Vertex", "Zenith"],
    0.3,
)  # fmt: skip
EN_INDUSTRIES = zipf(
    ["Trading", "Parts", "Electronics", "Machinery", "Textiles", "Logistics", "Industries",
     "Components", "Supply", "Imports", "Tools", "Packaging"],
    0.3,
)  # fmt: skip
EN_FORMS = Weighted(
    [("Co., Ltd.", 30), ("Ltd.", 20), ("Inc.", 20), ("GmbH", 10), ("LLC", 10), ("Pte. Ltd.", 10)]
)
FOREIGN_PHONES = Weighted(
    [("+1 {a3} 555 {d4}", 3), ("+49 30 {d7}", 1), ("+44 20 7946 {d4}", 1),
     ("+65 6{d3} {d4}", 1), ("+81 3 {d4} {d4}", 1)]
)  # fmt: skip


def english_person(rng: random.Random) -> str:
    return f"{EN_FIRST.pick(rng)} {EN_LAST.pick(rng)}"


def english_company(rng: random.Random) -> tuple[str, str]:
    brand = EN_BRANDS.pick(rng)
    return f"{brand} {EN_INDUSTRIES.pick(rng)} {EN_FORMS.pick(rng)}", brand.lower()


# --- phones and emails -----------------------------------------------------------------------
MOBILE_PREFIXES = zipf(
    ["138", "139", "137", "136", "135", "134", "150", "151", "152", "158", "159", "157",
     "182", "183", "187", "188", "130", "131", "132", "155", "156", "185", "186", "133",
     "153", "180", "181", "189", "177", "176", "178", "166", "191", "198", "199"],
    0.3,
)  # fmt: skip


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randrange(10**n)).zfill(n)


def mobile(rng: random.Random) -> str:
    """'+86 138 0013 8000', '13800138000' or '138-0013-8000'."""
    prefix, mid, tail = MOBILE_PREFIXES.pick(rng), _digits(rng, 4), _digits(rng, 4)
    roll = rng.random()
    if roll < 0.3:
        return f"+86 {prefix} {mid} {tail}"
    if roll < 0.8:
        return f"{prefix}{mid}{tail}"
    return f"{prefix}-{mid}-{tail}"


def landline(rng: random.Random, city: City) -> str:
    """'021-6888 1234' (8 digits in big cities, 7 elsewhere)."""
    n = 8 if len(city.area_code) == 3 else rng.choice((7, 8))
    number = str(rng.randrange(2, 9)) + _digits(rng, n - 1)
    return f"{city.area_code}-{number[:4]} {number[4:]}"


def foreign_phone(rng: random.Random) -> str:
    pattern = FOREIGN_PHONES.pick(rng)
    return pattern.format(
        a3=str(rng.randrange(201, 990)), d3=_digits(rng, 3), d4=_digits(rng, 4), d7=_digits(rng, 7)
    )


EMAIL_DOMAINS = Weighted(
    [("example.cn", 5), ("example.com", 3), ("mail.example.cn", 2), ("example.net", 1)]
)


def person_email(rng: random.Random, pinyin_words: list[str]) -> str:
    """From a name's pinyin syllables: 'zhang.wei@…', 'zhangwei88@…', 'zw1987@…'."""
    if not pinyin_words:
        return ""
    roll = rng.random()
    if roll < 0.4:
        local = pinyin_words[0] + "." + "".join(pinyin_words[1:])
    elif roll < 0.8:
        local = "".join(pinyin_words) + str(rng.randrange(1, 1000))
    else:
        local = "".join(w[0] for w in pinyin_words) + str(rng.randrange(1960, 2006))
    return f"{local}@{EMAIL_DOMAINS.pick(rng)}"


def company_email(rng: random.Random, brand_ascii: str) -> str:
    box = rng.choice(("sales", "info", "service", "purchase", "contact"))
    return f"{box}@{brand_ascii}{rng.randrange(1, 100)}.example.cn"
