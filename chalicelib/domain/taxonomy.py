"""The default taxonomy: agency types and report categories (see shared reference categories.md).

Codes are stable API identifiers; names are what people read. A tenant maps each agency type to its
own unit (OPD), whose name differs between pemda.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AgencyType:
    code: str
    name_id: str
    name_en: str


@dataclass(frozen=True)
class Category:
    code: str
    name_id: str
    name_en: str
    agency_type: str
    sensitive: bool = False


AGENCY_TYPES: dict[str, AgencyType] = {a.code: a for a in (
    AgencyType("DLH", "Dinas Lingkungan Hidup", "Environment Agency"),
    AgencyType("PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "Public Works and Spatial Planning"),
    AgencyType("DISHUB", "Dinas Perhubungan", "Transport Agency"),
    AgencyType("DINSOS", "Dinas Sosial", "Social Affairs Agency"),
    AgencyType("DP3A", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak",
               "Women's Empowerment and Child Protection"),
    AgencyType("SATPOLPP", "Satuan Polisi Pamong Praja", "Civil Service Police"),
    AgencyType("DINKES", "Dinas Kesehatan", "Health Office"),
    AgencyType("DAMKAR", "Dinas Pemadam Kebakaran dan Penyelamatan", "Fire and Rescue"),
    AgencyType("BPBD", "Badan Penanggulangan Bencana Daerah", "Regional Disaster Management Agency"),
    AgencyType("PDAM", "Perumda Air Minum", "Regional Water Utility"),
    AgencyType("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "Population and Civil Registry"),
    AgencyType("DISTAN", "Dinas Pertanian", "Agriculture Agency"),
    AgencyType("INSPEKTORAT", "Inspektorat Daerah", "Regional Inspectorate"),
    AgencyType("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", "Regional Development Planning Agency"),
    AgencyType("KOMINFO", "Dinas Komunikasi dan Informatika (admin pengaduan)",
               "Communication and Informatics (complaint desk, triage)"),
    AgencyType("EXTERNAL", "Instansi luar pemda (Polri, PLN, BPJN, BPOM)",
               "Outside the regional government (police, power utility, national roads, food agency)"),
)}

CATEGORIES: dict[str, Category] = {c.code: c for c in (
    Category("garbage", "Sampah dan kebersihan", "Garbage and cleanliness", "DLH"),
    Category("street_light", "Lampu jalan (PJU) rusak", "Broken street light", "DISHUB"),
    Category("traffic_light_sign", "Lampu lalu lintas dan rambu rusak", "Broken traffic light or sign", "DISHUB"),
    Category("congestion", "Kemacetan", "Traffic congestion", "DISHUB"),
    Category("traffic_violation", "Pelanggaran lalu lintas", "Traffic violation", "DISHUB"),
    Category("illegal_parking", "Parkir liar", "Illegal parking", "DISHUB"),
    Category("beggars_homeless", "Pengemis, tunawisma, anak jalanan", "Beggars, homeless, street children",
             "DINSOS"),
    Category("child_protection", "Fasilitas dan perlindungan anak", "Child facilities and protection", "DP3A"),
    Category("missing_person", "Orang hilang", "Missing person", "DINSOS"),
    Category("street_vendor", "PKL liar", "Unlicensed street vendors", "SATPOLPP"),
    Category("building_violation", "Pelanggaran bangunan", "Building-permit violation", "PUPR"),
    Category("illegal_billboard", "Iklan dan reklame liar", "Illegal billboards and posters", "SATPOLPP"),
    Category("dengue", "Fogging DBD dan jentik nyamuk", "Dengue fogging and mosquito larvae", "DINKES"),
    Category("fire", "Kebakaran", "Fire", "DAMKAR"),
    Category("road_damage", "Jalan rusak atau berlubang", "Damaged road or pothole", "PUPR"),
    Category("flood_drainage", "Banjir, drainase, got mampet", "Flood, drainage, blocked gutter", "PUPR"),
    Category("fallen_tree", "Pohon tumbang dan taman", "Fallen tree and parks", "DLH"),
    Category("public_facility", "Fasilitas umum rusak", "Damaged public facility", "PUPR"),
    Category("water_supply", "Air bersih", "Water supply", "PDAM"),
    Category("disaster", "Bencana (longsor, banjir bandang, erupsi)", "Disaster (landslide, flash flood, eruption)",
             "BPBD"),
    Category("civil_registry", "Layanan KTP, KK, akta", "ID card and civil registry services", "DISDUKCAPIL"),
    Category("agriculture", "Bibit, pupuk, distribusi hasil tani, irigasi",
             "Seeds, fertiliser, produce distribution, irrigation", "DISTAN"),
    Category("misconduct", "Pungli, pelanggaran etika dan disiplin ASN", "Extortion, civil-servant misconduct",
             "INSPEKTORAT", sensitive=True),
    Category("crime", "Tindak kriminal", "Crime", "EXTERNAL"),
    Category("other", "Lainnya", "Other", "KOMINFO"),
)}

# Service groups (Open311 ``group``): how a form or a map legend gathers categories, in both languages.
GROUPS: dict[str, tuple[str, str]] = {
    "environment": ("Kebersihan dan lingkungan", "Cleanliness and environment"),
    "infrastructure": ("Jalan dan prasarana", "Roads and infrastructure"),
    "transport": ("Lalu lintas dan perhubungan", "Traffic and transport"),
    "order": ("Ketertiban umum", "Public order"),
    "social_health": ("Sosial dan kesehatan", "Social affairs and health"),
    "emergency": ("Darurat dan bencana", "Emergencies and disasters"),
    "services": ("Layanan dan tata kelola", "Public services and governance"),
}
CATEGORY_GROUPS: dict[str, str] = {
    "garbage": "environment", "fallen_tree": "environment", "water_supply": "infrastructure",
    "road_damage": "infrastructure", "flood_drainage": "infrastructure", "public_facility": "infrastructure",
    "street_light": "infrastructure", "building_violation": "infrastructure",
    "traffic_light_sign": "transport", "congestion": "transport", "traffic_violation": "transport",
    "illegal_parking": "transport",
    "street_vendor": "order", "illegal_billboard": "order", "crime": "order",
    "beggars_homeless": "social_health", "child_protection": "social_health", "missing_person": "social_health",
    "dengue": "social_health",
    "fire": "emergency", "disaster": "emergency",
    "civil_registry": "services", "agriculture": "services", "misconduct": "services", "other": "services",
}


def group_of(category: str, lang: str) -> str:
    """The category's group name in ``lang`` (``id`` unless ``en``)."""
    names = GROUPS[CATEGORY_GROUPS.get(category, "services")]
    return names[1] if lang == "en" else names[0]
