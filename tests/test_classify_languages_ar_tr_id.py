"""The Arabic, Turkish and Indonesian rules (feeds/rules/ar.toml, tr.toml, id.toml).

Each case is a real published headline as remembered, with its publisher and approximate
date; where the exact wording is not certain the comment says "paraphrase of". About two
thirds report a qualifying government or legal development (flagged, with the language
detected, the top topic and the acting jurisdiction asserted); the rest are hard negatives
that carry legal or platform words without one (not flagged). The development sets beside the
repository are read at run time only, never copied here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_hub.watch.classify import Classifier

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "corpora" / "labelled-dev-multilingual" / "items.jsonl"

# (language, title, summary, top topic, first jurisdiction)
RELEVANT = [
    # Arabic
    # paraphrase of France 24 Arabic, June 2019 (Algeria cuts the internet for the baccalaureate)
    ("ar", "الجزائر تقطع الإنترنت خلال امتحانات البكالوريا", "", "shutdown-blocking", "DZ"),
    # paraphrase of BBC Arabic, August 2022 (34-year sentence for Salma al-Shehab over tweets)
    (
        "ar",
        "السعودية: السجن 34 عاما لطالبة دكتوراه بسبب تغريدات على تويتر",
        "",
        "content-removal",
        "SA",
    ),
    # paraphrase of Al Arabiya / Al Jazeera, July 2023 (Jordan's cybercrime bill)
    (
        "ar",
        "مجلس النواب الأردني يقر مشروع قانون الجرائم الإلكترونية",
        "",
        "content-removal",
        "JO",
    ),
    # paraphrase of Sky News Arabia, April 2018 (Russia starts blocking Telegram)
    ("ar", "روسيا تبدأ حجب تطبيق تلغرام بقرار من المحكمة", "", "shutdown-blocking", "RU"),
    # paraphrase of Al Arabiya, July 2020 (Egypt's personal data protection law ratified)
    (
        "ar",
        "مصر: السيسي يصادق على قانون حماية البيانات الشخصية",
        "",
        "surveillance-data-demands",
        "EG",
    ),
    # paraphrase of BBC Arabic, May 2023 (EUR 1.2 bn GDPR fine on Meta over transfers to the US)
    (
        "ar",
        "الاتحاد الأوروبي يفرض غرامة قياسية على ميتا بسبب نقل بيانات المستخدمين"
        " إلى الولايات المتحدة",
        "",
        "data-localisation",
        "EU",
    ),
    # Turkish
    # paraphrase of BBC Türkçe, 29 April 2017 (BTK blocks Wikipedia)
    (
        "tr",
        "Vikipedi'ye erişim engeli getirildi",
        "Bilgi Teknolojileri ve İletişim Kurumu (BTK), Vikipedi'ye erişimi engelledi.",
        "shutdown-blocking",
        "TR",
    ),
    # paraphrase of Anadolu Ajansı, 13 October 2022 (the "disinformation law" passes)
    (
        "tr",
        "Dezenformasyon yasası TBMM Genel Kurulu'nda kabul edildi",
        "",
        "foreign-agent-fake-news",
        "TR",
    ),
    # paraphrase of BBC Türkçe, 8 February 2023 (Twitter throttled after the earthquake)
    (
        "tr",
        "Twitter'a bant daraltma uygulandı",
        "Depremin ardından Türkiye'de Twitter'a erişim kısıtlandı.",
        "shutdown-blocking",
        "TR",
    ),
    # paraphrase of Anadolu Ajansı, September 2021 (data protection board fines WhatsApp)
    (
        "tr",
        "Kişisel Verileri Koruma Kurulu'ndan WhatsApp'a 1,95 milyon lira ceza",
        "",
        "surveillance-data-demands",
        "TR",
    ),
    # paraphrase of Bianet / BBC Türkçe, June 2015 and later years (Pride march banned)
    (
        "tr",
        "İstanbul Valiliği Onur Yürüyüşü'nü yasakladı",
        "",
        "non-discrimination",
        "TR",
    ),
    # Indonesian
    # paraphrase of Kompas.com, 30 July 2022 (unregistered platforms blocked under PSE rules)
    (
        "id",
        "Kominfo Blokir Steam, PayPal, dan Epic Games karena Belum Daftar PSE",
        "",
        "platform-regulation",
        "ID",
    ),
    # paraphrase of Kompas.com, 20 September 2022 (personal data protection bill passed)
    (
        "id",
        "DPR Sahkan RUU Perlindungan Data Pribadi Jadi Undang-Undang",
        "Rapat paripurna DPR RI mengesahkan RUU PDP menjadi undang-undang.",
        "surveillance-data-demands",
        "ID",
    ),
    # paraphrase of Tempo, 22 May 2019 (social media restricted during the Jakarta riots)
    (
        "id",
        "Pemerintah Batasi Akses Media Sosial Terkait Kerusuhan 22 Mei",
        "Kementerian Komunikasi dan Informatika membatasi sementara sejumlah fitur media sosial.",
        "shutdown-blocking",
        "ID",
    ),
    # paraphrase of CNN Indonesia, 3 June 2020 (court: Papua internet shutdown was unlawful)
    (
        "id",
        "PTUN Jakarta Putuskan Pemblokiran Internet di Papua Melanggar Hukum",
        "",
        "shutdown-blocking",
        "ID",
    ),
    # paraphrase of Detik, April 2019 (arrest over the "KPU server" election hoax)
    (
        "id",
        "Bareskrim Polri Tangkap Penyebar Hoaks Server KPU",
        "",
        "foreign-agent-fake-news",
        "ID",
    ),
]

# (language, title, summary): legal or platform words, no qualifying development
NOT_RELEVANT = [
    # paraphrase of Sky News Arabia technology, 2018 (a product feature)
    ("ar", "واتساب تطلق ميزة جديدة لحماية خصوصية المستخدمين", ""),
    # paraphrase of BBC Arabic, March 2024 (EU competition fine on Apple: antitrust)
    ("ar", "المفوضية الأوروبية تفرض غرامة على آبل بسبب ممارسات احتكارية في متجر تطبيقاتها", ""),
    # paraphrase of CNN Arabic, January 2021 (a company suspends an account: no state act)
    ("ar", "تويتر يعلق حساب ترامب بشكل دائم", ""),
    # paraphrase of Anadolu Ajansı, October 2021 (competition authority fines Google)
    ("tr", "Rekabet Kurulu'ndan Google'a 296 milyon lira para cezası", ""),
    # paraphrase of NTV, September 2023 (product launch)
    ("tr", "Apple, yeni iPhone modellerini tanıttı", ""),
    # paraphrase of NTV Spor (a football disciplinary fine)
    ("tr", "TFF Disiplin Kurulu'ndan Fenerbahçe'ye para cezası", ""),
    # paraphrase of Kompas Tekno, February 2023 (product launch and price)
    ("id", "Samsung Luncurkan Galaxy S23 di Indonesia, Ini Harganya", ""),
    # paraphrase of Kompas.com, January 2025 (competition authority fines Google: antitrust)
    ("id", "KPPU Denda Google Rp 202,5 Miliar", ""),
    # paraphrase of Kompas Tekno (a how-to: blocking a phone number)
    ("id", "Cara Blokir Nomor WhatsApp yang Mengganggu", ""),
]


@pytest.mark.parametrize(("lang", "title", "summary", "topic", "code"), RELEVANT)
def test_relevant_headlines_are_flagged(
    clf: Classifier, lang: str, title: str, summary: str, topic: str, code: str
) -> None:
    result = clf.classify(title, summary)
    assert result.flagged, (result.score, result.matched)
    assert result.language == lang
    assert result.topics[0] == topic, (result.topics, result.matched)
    assert result.jurisdictions[:1] == (code,), (result.jurisdictions, result.matched)


@pytest.mark.parametrize(("lang", "title", "summary"), NOT_RELEVANT)
def test_hard_negatives_are_not_flagged(
    clf: Classifier, lang: str, title: str, summary: str
) -> None:
    result = clf.classify(title, summary)
    assert result.language == lang
    assert not result.flagged, (result.score, result.matched)


def test_a_region_resolves_to_its_country(clf: Classifier) -> None:
    result = clf.classify(RELEVANT[-2][1], "")
    assert result.regions == ("Papua (ID)",)


def test_no_vote_of_confidence_is_not_blocking(clf: Classifier) -> None:
    """حجب الثقة (withholding confidence) shares its verb with blocking (حجب); the sentence is
    our own, not a quoted headline."""
    result = clf.classify("البرلمان يصوت على حجب الثقة عن الحكومة", "")
    assert not result.flagged, result.matched


@pytest.mark.skipif(not DEV.is_file(), reason=f"multilingual development set not at {DEV}")
def test_quality_on_the_multilingual_development_set(clf: Classifier) -> None:
    """Arabic holds most of the set's positives outside Polish; Indonesian items are all
    negatives there. Targets are 0.85; the floors leave room for one item either way."""
    counts = {lang: [0, 0, 0] for lang in ("ar", "id")}  # tp, fp, fn
    with DEV.open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            if item["lang"] not in counts:
                continue
            flagged = clf.classify(item["title"], item["summary"]).flagged
            relevant = item["label"] == "relevant"
            cell = counts[item["lang"]]
            cell[0] += flagged and relevant
            cell[1] += flagged and not relevant
            cell[2] += relevant and not flagged
    tp, fp, fn = counts["ar"]
    assert tp / (tp + fp) >= 0.80, f"ar precision (tp={tp} fp={fp})"
    assert tp / (tp + fn) >= 0.80, f"ar recall (tp={tp} fn={fn})"
    assert counts["id"][1] <= 1, f"id false positives: {counts['id'][1]}"
