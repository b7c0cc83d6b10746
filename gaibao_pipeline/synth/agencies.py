"""Plausible issuing agencies: governments and departments at province, city and county level.

Names are composed the way real ones are (place + level + body), so a corpus of thousands of
reports has thousands of agencies, including several reports of the same agency in
different years, as a real collection does.
"""

from __future__ import annotations

import random

_PROVINCES = (
    "河南省", "江苏省", "浙江省", "广东省", "四川省", "湖北省", "山东省", "福建省",
    "安徽省", "湖南省", "江西省", "云南省", "贵州省", "陕西省", "甘肃省", "河北省",
)  # fmt: skip
_CITIES = (
    "淮安市", "南京市", "杭州市", "宁波市", "郑州市", "洛阳市", "成都市", "绵阳市", "武汉市",
    "宜昌市", "济南市", "青岛市", "福州市", "厦门市", "合肥市", "芜湖市", "长沙市", "株洲市",
    "南昌市", "昆明市", "贵阳市", "西安市", "兰州市", "石家庄市", "深圳市", "佛山市",
)  # fmt: skip
_COUNTIES = (
    "洪泽区", "鼓楼区", "西湖区", "江北区", "金水区", "涧西区", "武侯区", "涪城区", "江岸区",
    "夷陵区", "历下区", "市南区", "台江区", "思明区", "蜀山区", "镜湖区", "岳麓区", "荷塘区",
    "东湖区", "五华区", "南明区", "雁塔区", "城关区", "长安区", "福田区", "南海区", "安吉县",
    "桐庐县", "新郑市", "宜城市", "平阴县", "闽侯县", "肥西县", "浏阳市", "进贤县", "宜良县",
)  # fmt: skip
_DEPARTMENTS = (
    "人民政府", "人民政府办公室", "发展和改革委员会", "教育局", "公安局", "民政局", "司法局",
    "财政局", "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局",
    "交通运输局", "水利局", "农业农村局", "商务局", "文化广电和旅游局", "卫生健康委员会",
    "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局", "城市管理局",
)  # fmt: skip
_STREETS = ("街道办事处", "镇人民政府", "乡人民政府")
_PROVINCIAL = tuple(d.replace("局", "厅") if d.endswith("局") else d for d in _DEPARTMENTS)


def random_agency(rng: random.Random) -> str:
    """An agency name: a provincial department, a city or county body, or a township."""
    level = rng.random()
    if level < 0.15:
        return rng.choice(_PROVINCES) + rng.choice(_PROVINCIAL)
    if level < 0.45:
        return rng.choice(_CITIES) + rng.choice(_DEPARTMENTS)
    if level < 0.9:
        return rng.choice(_CITIES) + rng.choice(_COUNTIES) + rng.choice(_DEPARTMENTS)
    town = rng.choice(("城东", "城西", "新华", "人民", "长江", "解放", "和平", "朝阳"))
    return rng.choice(_COUNTIES) + town + rng.choice(_STREETS)
