"""Public products of the directory companies (`bench generate --tables directory_products`, and
part of every `generate --directory-companies N`): about 11 products per company — 10 of them
public — so 100,000 directory companies carry ~1,000,000 public products for the directory's
products mode.

A company's products come from its profile's main products (`深沟球轴承` → 深沟球轴承 6205-2RS,
`不锈钢阀门` → 不锈钢球阀 DN50 PN16 304), each main product a category of the company; every
product has an English name and a SKU (`SGQZ-6205-2RS`) unique in the company. Some are
private (7%), discontinued (3%) or in the trash (1%): rows the directory must never show.

Two chunked tables over the same partition of the directory companies (by slug, in blocks of
`COMPANIES_PER_CHUNK`): the categories first, with ids from a block past the table's largest id,
then the products, whose chunk `i` is made from `random.Random(f"{seed}:directory_products:{i}")`
and the companies of the block — so the rows depend on the seed and the profiles only. Search
columns come from `Product.refresh_search()`. PostgreSQL: COPY, with the product table's
secondary indexes (trigram and grams GIN, B-trees) dropped and rebuilt for a big load.
"""

import random
import time
from datetime import timedelta
from decimal import Decimal

from django.db import connection

from shangyou.accounts.models import Company
from shangyou.catalog.models import Category, Product
from shangyou.core.search import pinyin_forms
from shangyou.network.models import CompanyProfile

from .generate import (
    ANCHOR,
    Chunk,
    ChunkedTable,
    GenerateContext,
    RowTemplate,
    TableGenerator,
    TableResult,
    converters,
    instance_row,
    model_columns,
    register,
    slug_prefix,
)

#: Companies per chunk (~11,500 products). Part of the determinism contract.
COMPANIES_PER_CHUNK = 1_000
PRODUCTS_PER_COMPANY = (7, 16)  # inclusive range: ~11.5 a company, ~10 of them public
PRIVATE_SHARE, DISCONTINUED_SHARE, TRASHED_SHARE = 0.07, 0.03, 0.01


# --- specifications: axes of (中文, English, SKU code) combined into one spec ---------------------
_CODE_CHARS = str.maketrans({"×": "X", "Φ": "D", "℃": "C", "Ω": "R", "μ": "U", "²": "2"})


def code(text: str) -> str:
    """The ASCII form of a specification in a SKU: '600×600mm' → 600X600MM."""
    return "".join(c for c in text.upper().translate(_CODE_CHARS) if c.isascii() and (
        c.isalnum() or c in ".-"))  # fmt: skip


def _same(*values: str) -> list[tuple[str, str, str]]:
    return [(v, v, code(v)) for v in values]


_DEEP = [
    f"{m}{s}"
    for m in ("6000", "6001", "6002", "6004", "6201", "6202", "6203", "6204", "6205", "6206",
              "6207", "6208", "6210", "6302", "6305", "6306", "6308", "6310")
    for s in ("", "ZZ", "-2RS", "-2Z")
]  # fmt: skip
_DN = _same("DN15", "DN20", "DN25", "DN32", "DN40", "DN50", "DN65", "DN80", "DN100", "DN150",
            "DN200")  # fmt: skip
_KW = _same("0.75kW", "1.5kW", "2.2kW", "4kW", "5.5kW", "7.5kW", "11kW", "15kW", "22kW", "37kW")
_VOLT = _same("220V", "380V")
_COLORS = [("藏青", "navy", "NV"), ("黑色", "black", "BK"), ("灰色", "grey", "GY"),
           ("白色", "white", "WH"), ("红色", "red", "RD"), ("蓝色", "blue", "BL")]  # fmt: skip
_MODELS = [
    f"{p}-{n}{s}"
    for p in ("HX", "JD", "KT", "ZY", "SK", "TH", "YL", "DS")
    for n in ("100", "200", "300", "500", "800", "1000")
    for s in ("", "A", "B", "S")
]
_DIMS = _same("300×300mm", "600×600mm", "600×1200mm", "800×800mm", "1000×1200mm",
              "1200×1000mm", "1220×2440mm", "400×300×200mm", "600×400×300mm")  # fmt: skip
_PACKS = [("25kg/桶", "25 kg drum", "25KG"), ("20kg/袋", "20 kg bag", "20KG"),
          ("200kg/桶", "200 kg drum", "200KG"), ("1吨/吨桶", "1 t IBC", "1T"),
          ("5kg/桶", "5 kg pail", "5KG")]  # fmt: skip
_GRADES = [("工业级", "industrial grade", "IG"), ("食品级", "food grade", "FG"),
           ("试剂级", "reagent grade", "RG")]  # fmt: skip
_CITY_EN = [("上海", "Shanghai", "SH"), ("北京", "Beijing", "BJ"), ("广州", "Guangzhou", "GZ"),
            ("深圳", "Shenzhen", "SZ"), ("杭州", "Hangzhou", "HZ"), ("成都", "Chengdu", "CD"),
            ("武汉", "Wuhan", "WH"), ("宁波", "Ningbo", "NB")]  # fmt: skip

SPECS: dict[str, list[list[tuple[str, str, str]]]] = {
    "bearing_deep": [_same(*_DEEP)],
    "bearing_taper": [_same("30203", "30204", "30205", "30206", "30207", "30208", "30210",
                            "32205", "32206", "32208", "32210", "32212")],
    "bearing_joint": [_same("GE12E", "GE15ES", "GE20ES", "GE25ES", "GE30ES", "SI10T/K",
                            "SI12T/K", "PHS8", "PHS10")],
    "valve": [_DN, _same("PN16", "PN25", "PN40"), _same("304", "316L", "WCB", "")],
    "power": [_KW, _VOLT],
    "reducer": [_same("NMRV040", "NMRV050", "NMRV063", "NMRV075", "PF60", "PF90", "R37", "R57"),
                [(f"速比1:{r}", f"ratio 1:{r}", f"I{r}") for r in (5, 10, 15, 20, 30, 40, 50)]],
    "machine": [_same("CK6140", "CK6150", "VMC850", "VMC1160", "XK7124", "FXJ-5050",
                      "DZ-400", "DZ-600", "BZJ-250")],
    "belt": [[(f"宽{w}mm", f"{w} mm wide", f"W{w}") for w in (300, 500, 650, 800, 1000, 1200)],
             [(f"厚{t}mm", f"{t} mm thick", f"T{t}") for t in (2, 3, 4, 5)]],
    "gear": [[(f"模数{m}", f"module {m}", f"M{m}") for m in (1, 1.5, 2, 2.5, 3, 4)],
             [(f"齿数{z}", f"{z} teeth", f"Z{z}") for z in (20, 25, 30, 40, 50, 60)]],
    "rail": [_same("HGH15CA", "HGH20CA", "HGW25CC", "HGH30CA", "MGN12H", "MGN15C"),
             _same("L=500mm", "L=1000mm", "L=1500mm", "")],
    "screw": [_same("SFU1605", "SFU2005", "SFU2510", "SFU3210", "SFU1204"),
              _same("L=500mm", "L=1000mm", "L=1500mm")],
    "tool": [_same("CNMG120408", "APMT1604", "WNMG080408", "TNMG160404", "D10×75 4F",
                   "D6×50 4F", "M6×1.0", "M8×1.25")],
    "pcb": [[(f"{n}层", f"{n} layers", f"{n}L") for n in (2, 4, 6, 8)],
            _same("1.0mm", "1.6mm", "2.0mm")],
    "connector": [_same("2.54mm", "2.0mm", "1.25mm", "M12", "M16"),
                  _same("2P", "4P", "8P", "2×20P", "16P")],
    "sensor": [_same("0-10bar", "0-1MPa", "PT100", "NPN", "PNP", "0-150℃"),
               _same("4-20mA", "0-10V", "RS485", "")],
    "psu": [_same("5V 2A", "12V 2A", "12V 5A", "24V 5A", "24V 10A", "48V 10A", "36W",
                  "60W", "100W", "150W")],
    "relay": [_same("12VDC", "24VDC", "220VAC"), _same("10A", "16A", "25A", "40A")],
    "module": [_same("HC-05", "ESP32", "EC20", "SIM7600", "BL602", "E22-400", "WB3S",
                     "CC2530")],
    "tag": [_same("UHF 860-960MHz", "NFC 13.56MHz", "2.13寸", "2.9寸", "4.2寸")],
    "software": [[("标准版", "Standard", "STD"), ("专业版", "Professional", "PRO"),
                  ("企业版", "Enterprise", "ENT"), ("云版", "Cloud", "CLD")],
                 _same("V3.0", "V5.2", "V6.1", "V8.0")],
    "switch": [[("8口千兆", "8-port gigabit", "8GE"), ("16口千兆", "16-port gigabit", "16GE"),
                ("24口千兆", "24-port gigabit", "24GE"), ("48口千兆", "48-port gigabit", "48GE")],
               [("", "", ""), ("4光口", "4 SFP", "4SFP"), ("PoE供电", "PoE", "POE")]],
    "fiber": [[("单模", "single-mode", "SM"), ("多模", "multi-mode", "MM")],
              _same("1.25G", "10G"), _same("20km", "40km", "550m")],
    "sheet": [_same("201", "304", "316L", "430", "T2", "H62"),
              _same("0.5mm", "1.0mm", "1.5mm", "2.0mm", "3.0mm", "5.0mm")],
    "chem": [_GRADES, _PACKS],
    "component": [_same("0402", "0603", "0805", "1206", "SOT-23", "TO-220"),
                  _same("100nF", "10uF", "10kΩ", "4.7kΩ", "30V", "60V")],
    "model": [_same(*_MODELS)],
    "fabric": [[(f"{g}g/㎡", f"{g} gsm", f"{g}G") for g in (80, 120, 150, 180, 220, 300)],
               [(f"幅宽{w}cm", f"{w} cm wide", f"W{w}") for w in (145, 150, 160, 280)]],
    "yarn": [_same("16S", "21S", "32S", "40S", "60S"),
             [("紧密纺", "compact", "C"), ("环锭纺", "ring-spun", "R")]],
    "hardware": [[(f"{s}寸", f'{s}"', f"{s}IN") for s in (2, 3, 4, 5)],
                 [("304", "304", "304"), ("201", "201", "201"), ("锌合金", "zinc alloy", "ZN")]],
    "dims": [_DIMS],
    "part": [_same("SPCC", "Q235", "SUS304", "6061", "SECC"), [("来图定制", "custom", "OEM")]],
    "profile": [_same("2020", "3030", "4040", "4080", "6060"), _same("6063-T5", "6061-T6")],
    "steel": [_same("HW200×200", "HW300×300", "HN400×200", "Q235B", "Q355B")],
    "fastener": [[(f"M{d}×{n}", f"M{d}×{n}", f"M{d}X{n}") for d in (4, 5, 6, 8, 10, 12, 16, 20)
                  for n in (10, 16, 20, 30, 40, 50, 80)],
                 [("304", "304", "304"), ("316", "316", "316"), ("8.8级", "grade 8.8", "88"),
                  ("", "", "")]],
    "garment": [[("S-3XL", "S-3XL", "S3XL"), ("M-4XL", "M-4XL", "M4XL"),
                 ("均码", "one size", "OS")], _COLORS],
    "food": [[("500g×20袋", "500 g × 20 bags", "500G20"), ("1kg×10袋", "1 kg × 10 bags", "1K10"),
              ("250g/盒", "250 g box", "250G"), ("5kg/箱", "5 kg carton", "5K")]],
    "route": [[(f"{a}-{b}", f"{ae}–{be}", f"{ac}{bc}") for a, ae, ac in _CITY_EN[:4]
               for b, be, bc in _CITY_EN[4:]],
              [("整车", "full truckload", "FTL"), ("零担", "LTL", "LTL"),
               ("20GP", "20GP", "20GP"), ("40HQ", "40HQ", "40HQ")]],
    "syringe": [_same("1ml", "2ml", "5ml", "10ml", "20ml"),
                [("带针", "with needle", "N"), ("不带针", "without needle", "X")]],
    "auto": [[("适用大众朗逸", "for VW Lavida", "VWL"),
              ("适用丰田卡罗拉", "for Toyota Corolla", "TYC"),
              ("适用本田雅阁", "for Honda Accord", "HDA"),
              ("适用日产轩逸", "for Nissan Sylphy", "NSS"), ("通用型", "universal", "UNI")]],
    "wheel": [[(f"{s}寸", f'{s}"', f"{s}") for s in (15, 16, 17, 18, 19)],
              _same("5×100", "5×112", "5×114.3")],
    "wiper": [[(f"{s}寸", f'{s}"', f"{s}") for s in (14, 16, 18, 20, 22, 24, 26)]],
    "film": [_same("50cm×300m", "45cm×200m", "100cm×100m"), _same("15μm", "20μm", "23μm")],
    "label": [_same("40×30mm", "60×40mm", "100×100mm", "100×150mm"),
              [("铜版纸", "coated paper", "CP"), ("热敏纸", "thermal paper", "TH"),
               ("PET", "PET", "PET")]],
    "print": [[("A4 32页", "A4, 32 pages", "A4-32"), ("A5 16页", "A5, 16 pages", "A5-16"),
               ("定制尺寸", "custom size", "CUS")]],
    "furniture": [_same("1200×600×750mm", "1400×700×750mm", "1600×800×760mm",
                        "1800×2000mm", "1500×2000mm")],
    "led": [_same("6W", "12W", "18W", "36W", "48W", "100W", "150W", "200W"),
            _same("3000K", "4000K", "6500K")],
    "breaker": [_same("C16", "C32", "C63", "100A", "250A"), _same("1P", "2P", "3P", "4P")],
    "capacity": [[(f"处理量{n}吨/天", f"{n} t/day", f"{n}T") for n in (5, 10, 20, 50, 100)]
                 + [(f"风量{n}m³/h", f"{n} m³/h", f"{n}M3") for n in (5000, 10000, 20000)]],
    "solar": [_same("450W", "550W", "580W", "670W"),
              [("单晶", "mono", "M"), ("双面双玻", "bifacial", "BF")]],
    "battery": [_same("12.8V 100Ah", "25.6V 200Ah", "51.2V 100Ah", "51.2V 280Ah", "5kWh",
                      "10kWh", "100kWh")],
    "charger": [_same("7kW", "11kW", "22kW", "60kW", "120kW", "160kW")],
    "pipe": [_same("Φ16", "Φ20"), [(f"间距{n}cm", f"{n} cm spacing", f"{n}") for n in (20, 30)]],
    "mould": [[(f"1出{n}", f"{n}-cavity", f"{n}C") for n in (1, 2, 4, 8, 16)],
              _same("P20", "718H", "H13", "NAK80")],
    "laser": [_same("500W", "1000W", "1500W", "3000W", "6000W", "12000W")],
    "lens": [_same("Φ12.7", "Φ25.4", "Φ50.8"), _same("f=50mm", "f=100mm", "f=150mm", "")],
}  # fmt: skip
UNITS = {
    "bearing_deep": "套", "bearing_taper": "套", "bearing_joint": "个", "valve": "台",
    "power": "台", "reducer": "台", "machine": "台", "belt": "米", "gear": "个", "rail": "根",
    "screw": "根", "tool": "片", "pcb": "片", "connector": "个", "sensor": "个", "psu": "个",
    "relay": "个", "module": "个", "tag": "个", "software": "套", "switch": "台", "fiber": "个",
    "sheet": "吨", "chem": "吨", "component": "盘", "fabric": "米", "yarn": "吨", "dims": "件",
    "part": "件", "profile": "米", "steel": "吨", "fastener": "千个", "garment": "件",
    "food": "箱", "route": "次", "syringe": "盒", "auto": "套", "wheel": "个", "wiper": "对",
    "film": "卷", "label": "卷", "print": "本", "furniture": "套", "led": "个", "breaker": "个",
    "capacity": "台", "solar": "块", "battery": "组", "charger": "台", "pipe": "米",
    "mould": "套", "laser": "台", "lens": "片", "model": "台",
}  # fmt: skip

#: Main product (the words of `directory.PRODUCTS_BY_INDUSTRY`) → (English, spec family,
#: the concrete products sold under it as (中文, English)).
CATALOGUE: dict[str, tuple[str, str, tuple[tuple[str, str], ...]]] = {
    "数控机床": ("CNC machine tool", "machine", (("数控车床", "CNC lathe"),
                 ("立式加工中心", "vertical machining centre"),
                 ("数控铣床", "CNC milling machine"))),
    "减速机": ("Gear reducer", "reducer", (("蜗轮蜗杆减速机", "worm gear reducer"),
               ("行星减速机", "planetary gearbox"), ("齿轮减速机", "helical gear reducer"))),
    "液压泵": ("Hydraulic pump", "power", (("柱塞泵", "piston pump"), ("齿轮泵", "gear pump"),
               ("叶片泵", "vane pump"))),
    "传送带": ("Conveyor belt", "belt", (("PVC输送带", "PVC conveyor belt"),
               ("橡胶传送带", "rubber conveyor belt"), ("不锈钢网带", "stainless mesh belt"))),
    "包装机械": ("Packaging machine", "machine", (("自动封箱机", "automatic carton sealer"),
                 ("枕式包装机", "flow wrapper"), ("真空包装机", "vacuum packing machine"))),
    "空压机": ("Air compressor", "power", (("螺杆空压机", "screw air compressor"),
               ("活塞空压机", "piston air compressor"))),
    "精密齿轮": ("Precision gear", "gear", (("直齿轮", "spur gear"), ("斜齿轮", "helical gear"),
                 ("锥齿轮", "bevel gear"))),
    "直线导轨": ("Linear guide", "rail", (("直线导轨", "linear guide rail"),
                 ("导轨滑块", "linear guide block"))),
    "滚珠丝杠": ("Ball screw", "screw", (("滚珠丝杠", "ball screw"),)),
    "数控刀具": ("CNC cutting tool", "tool", (("数控刀片", "CNC insert"),
                 ("硬质合金铣刀", "carbide end mill"), ("机用丝锥", "machine tap"))),
    "PCB电路板": ("PCB", "pcb", (("双面PCB电路板", "double-sided PCB"),
                  ("多层PCB电路板", "multilayer PCB"), ("铝基板", "aluminium PCB"))),
    "连接器": ("Connector", "connector", (("板对板连接器", "board-to-board connector"),
               ("航空插头", "circular connector"), ("接线端子", "terminal block"))),
    "传感器": ("Sensor", "sensor", (("压力传感器", "pressure sensor"),
               ("温度传感器", "temperature sensor"), ("光电传感器", "photoelectric sensor"))),
    "电源适配器": ("Power adapter", "psu", (("电源适配器", "power adapter"),
                   ("开关电源", "switching power supply"))),
    "继电器": ("Relay", "relay", (("中间继电器", "general-purpose relay"),
               ("固态继电器", "solid state relay"))),
    "蓝牙模块": ("Bluetooth module", "module", (("蓝牙模块", "Bluetooth module"),)),
    "LED驱动电源": ("LED driver", "psu", (("LED驱动电源", "LED driver"),
                    ("恒流驱动电源", "constant-current LED driver"))),
    "智能开关": ("Smart switch", "module", (("智能开关", "smart switch"),
                 ("智能插座", "smart socket"))),
    "电子标签": ("Electronic tag", "tag", (("RFID电子标签", "RFID tag"),
                 ("电子价签", "electronic shelf label"))),
    "智能门锁": ("Smart lock", "model", (("指纹密码锁", "fingerprint lock"),
                 ("人脸识别门锁", "face recognition lock"))),
    "工业网关": ("Industrial gateway", "module", (("工业网关", "industrial gateway"),
                 ("边缘计算网关", "edge computing gateway"))),
    "物联网模块": ("IoT module", "module", (("NB-IoT模块", "NB-IoT module"),
                   ("LoRa模块", "LoRa module"), ("4G通信模块", "4G module"))),
    "扫码枪": ("Barcode scanner", "model", (("无线扫码枪", "wireless barcode scanner"),
               ("有线扫码枪", "wired barcode scanner"))),
    "ERP软件": ("ERP software", "software", (("ERP软件", "ERP software"),)),
    "工业软件": ("Industrial software", "software", (("MES生产管理系统", "MES software"),
                 ("WMS仓储管理系统", "WMS software"))),
    "数据采集终端": ("Data collection terminal", "model", (("手持数据采集终端", "handheld PDA"),)),
    "交换机": ("Network switch", "switch", (("以太网交换机", "Ethernet switch"),
               ("工业交换机", "industrial switch"))),
    "路由器": ("Router", "model", (("企业级路由器", "enterprise router"),
               ("工业路由器", "industrial router"))),
    "光纤收发器": ("Fibre media converter", "fiber", (("光纤收发器", "fibre media converter"),
                   ("SFP光模块", "SFP transceiver"))),
    "不锈钢板": ("Stainless steel sheet", "sheet", (("不锈钢板", "stainless steel sheet"),
                 ("不锈钢卷板", "stainless steel coil"))),
    "铜材": ("Copper", "sheet", (("紫铜板", "copper plate"), ("黄铜棒", "brass rod"),
             ("铜排", "copper busbar"))),
    "化工原料": ("Chemical raw material", "chem", (("氢氧化钠", "sodium hydroxide"),
                 ("碳酸钠", "sodium carbonate"), ("钛白粉", "titanium dioxide"))),
    "电子元器件": ("Electronic component", "component", (("贴片电容", "SMD capacitor"),
                   ("贴片电阻", "SMD resistor"), ("MOS管", "MOSFET"))),
    "家居用品": ("Household goods", "dims", (("收纳箱", "storage box"),
                 ("硅胶厨具", "silicone kitchenware"))),
    "小家电": ("Small appliance", "model", (("电热水壶", "electric kettle"),
               ("空气炸锅", "air fryer"), ("电风扇", "electric fan"))),
    "五金工具": ("Hand and power tools", "model", (("扳手套装", "wrench set"), ("电钻", "drill"),
                 ("角磨机", "angle grinder"))),
    "纺织面料": ("Textile fabric", "fabric", (("全棉面料", "cotton fabric"),
                 ("涤棉面料", "polyester-cotton fabric"))),
    "五金配件": ("Hardware fittings", "hardware", (("不锈钢合页", "stainless steel hinge"),
                 ("柜门拉手", "cabinet handle"), ("角码", "corner bracket"))),
    "塑料制品": ("Plastic products", "dims", (("塑料周转箱", "plastic crate"),
                 ("塑料桶", "plastic bucket"))),
    "金属冲压件": ("Metal stamping", "part", (("冲压件", "metal stamping part"),
                   ("钣金件", "sheet metal part"))),
    "铝型材": ("Aluminium profile", "profile", (("工业铝型材", "industrial aluminium profile"),
               ("门窗铝型材", "window aluminium profile"))),
    "钢结构": ("Steel structure", "steel", (("H型钢", "H-beam"), ("钢结构厂房", "steel building"))),
    "建筑模板": ("Formwork", "dims", (("建筑木模板", "plywood formwork"),
                 ("铝合金模板", "aluminium formwork"))),
    "不锈钢螺丝": ("Stainless steel screw", "fastener", (("不锈钢螺丝", "stainless steel screw"),
                   ("不锈钢螺栓", "stainless steel bolt"))),
    "门窗配件": ("Door and window fittings", "hardware", (("门窗合页", "window hinge"),
                 ("门窗执手", "window handle"), ("推拉窗滑轮", "sliding window roller"))),
    "紧固件": ("Fastener", "fastener", (("膨胀螺栓", "expansion bolt"), ("六角螺母", "hex nut"),
               ("内六角螺钉", "socket head cap screw"))),
    "环氧树脂": ("Epoxy resin", "chem", (("环氧树脂", "epoxy resin"),)),
    "工业涂料": ("Industrial coating", "chem", (("环氧地坪漆", "epoxy floor paint"),
                 ("防腐涂料", "anti-corrosion coating"))),
    "胶粘剂": ("Adhesive", "chem", (("结构胶", "structural adhesive"),
               ("热熔胶", "hot-melt adhesive"))),
    "表面活性剂": ("Surfactant", "chem", (("表面活性剂", "surfactant"),)),
    "涤纶面料": ("Polyester fabric", "fabric", (("涤纶面料", "polyester fabric"),
                 ("涤纶牛津布", "polyester oxford"))),
    "无纺布": ("Non-woven fabric", "fabric", (("无纺布", "non-woven fabric"),
               ("熔喷布", "melt-blown fabric"))),
    "棉纱": ("Cotton yarn", "yarn", (("精梳棉纱", "combed cotton yarn"),
             ("气流纺棉纱", "open-end cotton yarn"))),
    "功能性面料": ("Functional fabric", "fabric", (("防水透气面料", "waterproof breathable fabric"),
                   ("阻燃面料", "flame-retardant fabric"))),
    "工作服": ("Workwear", "garment", (("工作服", "workwear"),
               ("防静电工作服", "anti-static workwear"))),
    "T恤": ("T-shirt", "garment", (("纯棉T恤", "cotton T-shirt"),
             ("广告衫", "promotional T-shirt"))),
    "羽绒服": ("Down jacket", "garment", (("羽绒服", "down jacket"),)),
    "运动服": ("Sportswear", "garment", (("运动服套装", "tracksuit"),)),
    "衬衫": ("Shirt", "garment", (("商务衬衫", "business shirt"),)),
    "校服": ("School uniform", "garment", (("校服", "school uniform"),)),
    "工装": ("Work clothes", "garment", (("工装裤", "cargo work trousers"),
             ("工装夹克", "work jacket"))),
    "速冻食品": ("Frozen food", "food", (("速冻水饺", "frozen dumplings"),
                 ("速冻汤圆", "frozen glutinous rice balls"))),
    "调味品": ("Seasoning", "food", (("酱油", "soy sauce"), ("火锅底料", "hot pot base"))),
    "休闲零食": ("Snacks", "food", (("坚果礼盒", "mixed nuts gift box"), ("牛肉干", "beef jerky"))),
    "茶叶": ("Tea", "food", (("龙井茶", "Longjing tea"), ("普洱茶", "Pu'er tea"),
             ("铁观音", "Tieguanyin tea"))),
    "瓷砖": ("Ceramic tile", "dims", (("抛光砖", "polished tile"), ("仿古砖", "rustic tile"))),
    "防水涂料": ("Waterproof coating", "chem", (("聚氨酯防水涂料", "polyurethane waterproofing"),
                 ("JS防水涂料", "JS waterproof coating"))),
    "石膏板": ("Gypsum board", "dims", (("纸面石膏板", "gypsum board"),)),
    "铝塑板": ("Aluminium composite panel", "dims", (("铝塑板", "aluminium composite panel"),)),
    "碳纤维": ("Carbon fibre", "dims", (("碳纤维板", "carbon fibre sheet"),
               ("碳纤维布", "carbon fibre fabric"))),
    "工程塑料": ("Engineering plastic", "chem", (("PA66颗粒", "PA66 pellets"),
                 ("POM颗粒", "POM pellets"), ("PC颗粒", "PC pellets"))),
    "复合材料": ("Composite material", "dims", (("玻璃钢格栅", "FRP grating"),
                 ("蜂窝复合板", "honeycomb panel"))),
    "冷链运输": ("Cold-chain transport", "route", (("冷链运输", "cold-chain transport"),)),
    "仓储服务": ("Warehousing", "route", (("仓储配送", "warehousing and delivery"),)),
    "国际货代": ("International freight", "route", (("海运整柜", "FCL sea freight"),
                 ("国际空运", "air freight"))),
    "医用口罩": ("Medical mask", "food", (("医用外科口罩", "surgical mask"),
                 ("医用防护口罩", "medical protective mask"))),
    "一次性注射器": ("Disposable syringe", "syringe", (("一次性注射器", "disposable syringe"),)),
    "血压计": ("Blood pressure monitor", "model", (("电子血压计", "electronic BP monitor"),)),
    "康复器械": ("Rehabilitation equipment", "model", (("轮椅", "wheelchair"),
                 ("助行器", "walker"))),
    "刹车片": ("Brake pad", "auto", (("陶瓷刹车片", "ceramic brake pad"),
               ("刹车片", "brake pad"))),
    "汽车滤清器": ("Car filter", "auto", (("机油滤清器", "oil filter"),
                   ("空气滤清器", "air filter"))),
    "轮毂": ("Wheel", "wheel", (("铝合金轮毂", "alloy wheel"),)),
    "雨刮器": ("Wiper blade", "wiper", (("无骨雨刮器", "frameless wiper blade"),)),
    "注塑件": ("Injection moulded part", "part", (("注塑件", "injection moulded part"),)),
    "塑料托盘": ("Plastic pallet", "dims", (("塑料托盘", "plastic pallet"),)),
    "PE薄膜": ("PE film", "film", (("PE缠绕膜", "PE stretch film"),
               ("PE保护膜", "PE protective film"))),
    "纸箱包装": ("Carton", "dims", (("五层瓦楞纸箱", "5-ply corrugated carton"),
                 ("快递纸箱", "shipping carton"))),
    "彩盒": ("Colour box", "dims", (("彩盒", "printed colour box"), ("礼品盒", "gift box"))),
    "气泡袋": ("Bubble bag", "film", (("气泡袋", "bubble bag"), ("气泡膜", "bubble wrap"))),
    "木托盘": ("Wooden pallet", "dims", (("木托盘", "wooden pallet"),)),
    "不干胶标签": ("Self-adhesive label", "label", (("不干胶标签", "self-adhesive label"),)),
    "画册印刷": ("Brochure printing", "print", (("画册印刷", "brochure printing"),)),
    "包装印刷": ("Packaging printing", "print", (("包装盒印刷", "packaging printing"),)),
    "办公家具": ("Office furniture", "furniture", (("办公桌", "office desk"),
                 ("文件柜", "filing cabinet"), ("会议桌", "meeting table"))),
    "实木沙发": ("Solid wood sofa", "furniture", (("实木沙发", "solid wood sofa"),)),
    "酒店家具": ("Hotel furniture", "furniture", (("酒店床", "hotel bed"),
                 ("酒店衣柜", "hotel wardrobe"))),
    "LED面板灯": ("LED panel light", "led", (("LED面板灯", "LED panel light"),)),
    "路灯": ("Street light", "led", (("LED路灯", "LED street light"),
             ("太阳能路灯", "solar street light"))),
    "投光灯": ("Flood light", "led", (("LED投光灯", "LED flood light"),)),
    "筒灯": ("Downlight", "led", (("LED筒灯", "LED downlight"),)),
    "变频器": ("Frequency inverter", "power", (("通用变频器", "general-purpose inverter"),
               ("矢量变频器", "vector inverter"))),
    "断路器": ("Circuit breaker", "breaker", (("小型断路器", "miniature circuit breaker"),
               ("塑壳断路器", "moulded case circuit breaker"))),
    "配电柜": ("Switchgear", "model", (("低压配电柜", "low-voltage switchgear"),
               ("配电箱", "distribution box"))),
    "伺服电机": ("Servo motor", "power", (("交流伺服电机", "AC servo motor"),)),
    "污水处理设备": ("Wastewater treatment", "capacity", (("一体化污水处理设备",
                     "packaged wastewater treatment plant"),)),
    "除尘器": ("Dust collector", "capacity", (("布袋除尘器", "bag filter dust collector"),
               ("脉冲除尘器", "pulse-jet dust collector"))),
    "废气处理设备": ("Waste gas treatment", "capacity", (("活性炭吸附箱", "activated carbon box"),
                     ("UV光解废气处理设备", "UV photolysis unit"))),
    "光伏组件": ("Solar module", "solar", (("单晶光伏组件", "monocrystalline solar module"),)),
    "锂电池模组": ("Lithium battery pack", "battery", (("磷酸铁锂电池", "LiFePO4 battery"),)),
    "充电桩": ("EV charger", "charger", (("交流充电桩", "AC EV charger"),
               ("直流充电桩", "DC fast charger"))),
    "储能系统": ("Energy storage", "battery", (("工商业储能系统", "C&I energy storage system"),
                 ("户用储能电池", "home battery"))),
    "酶制剂": ("Enzyme", "chem", (("纤维素酶", "cellulase"), ("蛋白酶", "protease"))),
    "益生菌": ("Probiotic", "food", (("益生菌粉", "probiotic powder"),)),
    "植物提取物": ("Plant extract", "chem", (("绿茶提取物", "green tea extract"),
                   ("人参提取物", "ginseng extract"))),
    "有机肥料": ("Organic fertiliser", "chem", (("有机肥料", "organic fertiliser"),
                 ("水溶肥", "water-soluble fertiliser"))),
    "种子": ("Seeds", "food", (("玉米种子", "maize seed"), ("蔬菜种子", "vegetable seed"))),
    "滴灌设备": ("Drip irrigation", "pipe", (("滴灌带", "drip tape"), ("滴灌管", "drip line"))),
    "注塑模具": ("Injection mould", "mould", (("注塑模具", "injection mould"),)),
    "冲压模具": ("Stamping die", "mould", (("冲压模具", "stamping die"),)),
    "压铸模具": ("Die-casting mould", "mould", (("压铸模具", "die-casting mould"),)),
    "不锈钢阀门": ("Stainless steel valve", "valve", (("不锈钢球阀", "stainless steel ball valve"),
                   ("不锈钢闸阀", "stainless steel gate valve"),
                   ("不锈钢截止阀", "stainless steel globe valve"))),
    "球阀": ("Ball valve", "valve", (("球阀", "ball valve"), ("电动球阀", "electric ball valve"))),
    "蝶阀": ("Butterfly valve", "valve", (("对夹蝶阀", "wafer butterfly valve"),
             ("电动蝶阀", "electric butterfly valve"))),
    "闸阀": ("Gate valve", "valve", (("闸阀", "gate valve"),
             ("铸钢闸阀", "cast steel gate valve"))),
    "深沟球轴承": ("Deep groove ball bearing", "bearing_deep",
                   (("深沟球轴承", "deep groove ball bearing"),)),
    "圆锥滚子轴承": ("Tapered roller bearing", "bearing_taper",
                     (("圆锥滚子轴承", "tapered roller bearing"),)),
    "关节轴承": ("Spherical plain bearing", "bearing_joint",
                 (("关节轴承", "spherical plain bearing"), ("杆端关节轴承", "rod end bearing"))),
    "光纤激光器": ("Fibre laser", "laser", (("光纤激光器", "fibre laser"),
                   ("光纤激光切割机", "fibre laser cutter"))),
    "红外探测器": ("Infrared detector", "model", (("红外探测器", "infrared detector"),)),
    "光学镜片": ("Optical lens", "lens", (("光学镜片", "optical lens"),
                 ("滤光片", "optical filter"))),
}  # fmt: skip
FALLBACK = "五金配件"
DESCRIPTIONS = (
    "{name}，厂家直销，支持来图来样定制。",
    "{name}，质量稳定，现货供应，量大从优。",
    "专业生产{name}，通过ISO9001认证，可开增值税专用发票。",
    "{name}：{en}. OEM/ODM available, export quality.",
)
MIN_ORDER = (Decimal(1), Decimal(1), Decimal(2), Decimal(5), Decimal(10), Decimal(50), Decimal(100))


def catalogue_entry(main_product: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    return CATALOGUE.get(main_product) or CATALOGUE[FALLBACK]


def sku_code(text: str, english: str = "") -> str:
    """Up to 4 capital letters for a product type: 深沟球轴承 → SGQZ, 4G DTU → GD."""
    forms = pinyin_forms(text)
    letters = forms[2] if forms else "".join(w[:1] for w in english.split())
    return "".join(c for c in letters.upper() if c.isalnum())[:4] or "P"


def make_spec(rng: random.Random, family: str) -> tuple[str, str, str]:
    """(中文, English, SKU code) of one specification of the family."""
    parts = [axis[rng.randrange(len(axis))] for axis in SPECS[family]]
    zh = " ".join(p[0] for p in parts if p[0])
    en = " ".join(p[1] for p in parts if p[1])
    return zh, en, "-".join(code(p[2]) for p in parts if p[2])


def make_product(rng: random.Random, main_product: str) -> dict:
    """One product of a company selling `main_product` (no ids)."""
    _en, family, kinds = catalogue_entry(main_product)
    zh_kind, en_kind = kinds[rng.randrange(len(kinds))]
    zh, en, spec = make_spec(rng, family)
    name = f"{zh_kind} {zh}".strip()
    name_en = f"{en_kind[:1].upper()}{en_kind[1:]} {en}".strip()
    return {
        "name": name,
        "name_en": name_en,
        "sku": f"{sku_code(zh_kind, en_kind)}-{spec}" if spec else sku_code(zh_kind, en_kind),
        "unit": UNITS.get(family, "个"),
        "description": DESCRIPTIONS[rng.randrange(len(DESCRIPTIONS))].format(name=name, en=name_en),
    }


# --- the plan: directory companies with their main products ------------------------------------
def directory_companies(seed: int) -> list[tuple[int, object, tuple[str, ...]]]:
    """(company id, created at, main products) of this seed's directory companies, by slug."""
    rows = (
        CompanyProfile.objects.filter(company__slug__startswith=f"{slug_prefix(seed)}d")
        .order_by("company__slug")
        .values_list("company_id", "company__created_at", "main_products")
    )
    return [
        (company_id, created, tuple(p for p in (main or "").split("、") if p) or (FALLBACK,))
        for company_id, created, main in rows
    ]


def _plan(ctx: GenerateContext) -> list[tuple[int, tuple]]:
    """Per chunk: (first category id, ((company id, created at, main products), …))."""
    plan = ctx.extra.get("directory_products_plan")
    if plan is not None:
        return plan
    companies = directory_companies(ctx.options.seed)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {Category._meta.db_table}")  # noqa: S608
        next_id = cursor.fetchone()[0]
    plan = []
    for start in range(0, len(companies), COMPANIES_PER_CHUNK):
        block = tuple(companies[start : start + COMPANIES_PER_CHUNK])
        plan.append((next_id, block))
        next_id += sum(len(main) for _id, _created, main in block)
    ctx.extra["directory_products_plan"] = plan
    return plan


def category_rows(chunk: Chunk) -> list[tuple]:
    next_id, companies = chunk.params
    template = RowTemplate(Category)
    rows = []
    for company_id, created, main in companies:
        for position, word in enumerate(main):
            en = catalogue_entry(word)[0]
            rows.append(
                (next_id,)
                + template.row(
                    None,
                    company_id=company_id,
                    name=word,
                    code=sku_code(word, en),
                    position=position,
                    description=en,
                    created_at=created,
                    updated_at=created,
                )
            )
            next_id += 1
    return rows


def product_rows(chunk: Chunk) -> list[tuple]:
    next_category, companies = chunk.params
    rng = random.Random(f"{chunk.seed}:directory_products:{chunk.chunk_index}")
    fields = model_columns(Product)
    convs = converters(fields)
    product = Product(company_id=0)  # one instance, its varying fields set per row
    rows = []
    low, high = PRODUCTS_PER_COMPANY
    for company_id, created, main in companies:
        skus: set[str] = set()
        span = (ANCHOR - created).total_seconds()
        for _ in range(rng.randint(low, high)):
            index = rng.randrange(len(main))
            data = make_product(rng, main[index])
            sku, n = data["sku"], 1
            while sku in skus:  # unique in the company (the same type and spec twice)
                n += 1
                sku = f"{data['sku']}-{n}"
            skus.add(sku)
            made = created + timedelta(seconds=span * rng.random())
            changed = made + (ANCHOR - made) * rng.random() ** 3
            roll = rng.random()
            product.__dict__.update(
                data,
                company_id=company_id,
                sku=sku,
                category_id=next_category + index,
                price=Decimal(f"{max(0.5, rng.lognormvariate(4.5, 1.3)):.2f}"),
                min_order_quantity=MIN_ORDER[rng.randrange(len(MIN_ORDER))],
                is_public=roll >= PRIVATE_SHARE,
                status=(
                    Product.Status.DISCONTINUED.value
                    if PRIVATE_SHARE <= roll < PRIVATE_SHARE + DISCONTINUED_SHARE
                    else Product.Status.STANDARD.value
                ),
                deleted_at=changed if rng.random() < TRASHED_SHARE else None,
                created_at=made,
                updated_at=changed,
            )
            product.refresh_search()  # the model's own search columns (names, pinyin, SKU)
            rows.append(instance_row(product, fields, convs))
        next_category += len(main)
    return rows


class _DirectoryCategories(ChunkedTable):
    name = "directory_categories"
    model = Category
    with_pk = True
    rows_fn = staticmethod(category_rows)

    def chunks(self, ctx: GenerateContext) -> list[Chunk]:
        return [
            Chunk(ctx.options.seed, self.name, 0, i, sum(len(m) for _c, _t, m in block),
                  (first, block))
            for i, (first, block) in enumerate(_plan(ctx))
        ]  # fmt: skip


class _DirectoryProducts(ChunkedTable):
    name = "directory_products"
    model = Product
    rows_fn = staticmethod(product_rows)

    def chunks(self, ctx: GenerateContext) -> list[Chunk]:
        mean = sum(PRODUCTS_PER_COMPANY) / 2  # the real count is known once made (progress)
        return [
            Chunk(ctx.options.seed, self.name, 0, i, round(len(block) * mean), (first, block))
            for i, (first, block) in enumerate(_plan(ctx))
        ]


@register
class DirectoryProductsGenerator(TableGenerator):
    """Categories and products of the directory companies: with `--tables directory_products`
    for those already in the database, or after the profiles in a full `--directory-companies`
    run."""

    name = "directory_products"

    def run(self, ctx: GenerateContext) -> TableResult:
        started = time.perf_counter()
        seed = ctx.options.seed
        if ctx.options.tables is None and not ctx.options.directory_companies:
            return TableResult("directory products (none: no --directory-companies)", 0, 0.0)
        directory = Company.objects.filter(slug__startswith=f"{slug_prefix(seed)}d")
        if Product.all_objects.filter(company__in=directory).exists():
            raise RuntimeError(
                f"The directory companies of seed {seed} already have products in this database."
            )
        if not _plan(ctx):
            return TableResult("directory products (none: no directory companies)", 0, 0.0)
        categories = _DirectoryCategories().run(ctx)
        ctx.results.append(categories)
        products = _DirectoryProducts().run(ctx)
        ctx.results.append(products)
        # The tables are recorded above; this line sums up (hidden in the docs table).
        return TableResult(
            "directory products (total)",
            categories.rows + products.rows,
            time.perf_counter() - started,
        )
