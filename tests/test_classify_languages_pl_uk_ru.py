"""Polish, Ukrainian and Russian rules (feeds/rules/pl.toml, uk.toml, ru.toml) on real headlines.

Each title is a published headline as remembered (publisher and approximate date in the comment;
"paraphrase of" where the exact wording is not certain). Summaries are short, self-written
paraphrases of the lead. Nothing here is copied from the development corpora.
"""

from __future__ import annotations

import pytest

from incident_hub.watch.classify import Classifier

RELEVANT = [
    # --- Polish ---
    pytest.param(  # paraphrase of PAP / Polsat News, 4 Mar 2022
        "Rosja blokuje Facebooka. Roskomnadzor ogranicza dostęp do serwisu",
        "Rosyjski regulator poinformował, że zablokował dostęp do Facebooka w odpowiedzi na "
        "ograniczenia nałożone na rosyjskie media.",
        "pl",
        "shutdown-blocking",
        "RU",
        id="pl-russia-blocks-facebook",
    ),
    pytest.param(  # paraphrase of a UODO press release, Sep 2019
        "Prezes UODO nałożył 2,8 mln zł kary na Morele.net",
        "To kara za niewłaściwe zabezpieczenie danych osobowych klientów sklepu internetowego.",
        "pl",
        "surveillance-data-demands",
        "PL",
        id="pl-uodo-fine",
    ),
    pytest.param(  # paraphrase of RPO / Rzeczpospolita, 28 May 2024 (Pietrzak v. Poland)
        "ETPC: polskie przepisy o inwigilacji naruszają prawo do prywatności",
        "Europejski Trybunał Praw Człowieka orzekł, że regulacje dotyczące kontroli operacyjnej "
        "i retencji danych telekomunikacyjnych naruszają art. 8 Konwencji.",
        "pl",
        "surveillance-data-demands",
        "PL",
        id="pl-echr-surveillance",
    ),
    pytest.param(  # paraphrase of Business Insider Polska / PAP, 22 May 2023
        "Rekordowa kara dla Mety. Irlandzki regulator nałożył 1,2 mld euro za transfer danych "
        "do USA",
        "Komisja Ochrony Danych uznała, że przekazywanie danych użytkowników z UE do Stanów "
        "Zjednoczonych narusza RODO.",
        "pl",
        "surveillance-data-demands",
        "IE",
        id="pl-meta-transfer-fine",
    ),
    pytest.param(  # paraphrase of Business Insider Polska, 31 Mar 2023
        "Włochy blokują ChatGPT. Regulator wszczął postępowanie",
        "Włoski urząd ochrony danych nakazał ograniczenie przetwarzania danych włoskich "
        "użytkowników przez OpenAI.",
        "pl",
        "surveillance-data-demands",
        "IT",
        id="pl-italy-chatgpt",
    ),
    pytest.param(  # paraphrase of PAP / Onet, 15 Jun 2021
        "Węgierski parlament przyjął ustawę zakazującą „promowania homoseksualizmu” wśród "
        "nieletnich",
        "Przepisy zakazują pokazywania treści LGBT osobom poniżej 18 lat.",
        "pl",
        "non-discrimination",
        "HU",
        id="pl-hungary-lgbt-law",
    ),
    # --- Russian ---
    pytest.param(  # paraphrase of RBC / TASS, 10 Mar 2021
        "Роскомнадзор начал замедлять работу Twitter в России",
        "Ведомство объяснило это тем, что соцсеть не удаляет запрещенный контент.",
        "ru",
        "shutdown-blocking",
        "RU",
        id="ru-twitter-throttling",
    ),
    pytest.param(  # paraphrase of RBC, 4 Mar 2022
        "Путин подписал закон об уголовной ответственности за фейки о российской армии",
        "За распространение заведомо ложной информации о Вооруженных силах грозит до 15 лет "
        "лишения свободы.",
        "ru",
        "foreign-agent-fake-news",
        "RU",
        id="ru-army-fakes-law",
    ),
    pytest.param(  # paraphrase of TASS / Interfax, 23 Apr 2021
        "Минюст внес «Медузу» в реестр СМИ-иноагентов",
        "Издание признано средством массовой информации, выполняющим функции иностранного агента.",
        "ru",
        "association",
        "RU",
        id="ru-meduza-foreign-agent",
    ),
    pytest.param(  # paraphrase of TASS, 24 Nov 2022
        "Госдума приняла закон о запрете ЛГБТ-пропаганды",
        "Депутаты приняли законопроект в третьем чтении.",
        "ru",
        "non-discrimination",
        "RU",
        id="ru-lgbt-propaganda-law",
    ),
    pytest.param(  # paraphrase of Interfax, 24 Dec 2021
        "Суд оштрафовал Google на 7,2 млрд рублей за неудаление запрещенного контента",
        "Таганский суд Москвы назначил компании первый оборотный штраф.",
        "ru",
        "content-removal",
        "RU",
        id="ru-google-turnover-fine",
    ),
    pytest.param(  # paraphrase of TASS, 1 Jul 2021
        "Путин подписал закон о «приземлении» иностранных IT-компаний",
        "Компании с суточной аудиторией более 500 тысяч человек обязаны открыть представительство "
        "в России.",
        "ru",
        "data-localisation",
        "RU",
        id="ru-landing-law",
    ),
    # --- Ukrainian ---
    pytest.param(  # paraphrase of Ukrainska Pravda, 2 Feb 2021
        "Зеленський ввів у дію рішення РНБО про санкції проти трьох телеканалів",
        "Санкції передбачають припинення мовлення каналів 112 Україна, NewsOne і ZIK та "
        "блокування їхніх сайтів.",
        "uk",
        "shutdown-blocking",
        "UA",
        id="uk-nsdc-tv-sanctions",
    ),
    pytest.param(  # paraphrase of Suspilne, 13 Dec 2022
        "Верховна Рада ухвалила закон «Про медіа»",
        "Закон розширює повноваження Нацради, зокрема щодо онлайн-медіа.",
        "uk",
        "platform-regulation",
        "UA",
        id="uk-media-law",
    ),
    pytest.param(  # paraphrase of Ukrainska Pravda, 16 May 2017
        "Порошенко ввів санкції проти ВКонтакте, Однокласників, Яндекса і Mail.ru",
        "Указом президента України інтернет-провайдерів зобов'язано заблокувати доступ до "
        "російських сервісів.",
        "uk",
        "shutdown-blocking",
        "UA",
        id="uk-vk-ban",
    ),
    pytest.param(  # paraphrase of Suspilne, 20 Sep 2024
        "РНБО заборонила використання Telegram на службових пристроях",
        "Заборона стосується державних службовців, військових і працівників критичної "
        "інфраструктури.",
        "uk",
        "shutdown-blocking",
        "UA",
        id="uk-telegram-official-devices",
    ),
    pytest.param(  # paraphrase of Suspilne / Ukrainska Pravda, 20 Aug 2024
        "Верховна Рада ухвалила закон про заборону діяльності релігійних організацій, "
        "пов'язаних з РФ",
        "Закон набирає чинності через 30 днів після опублікування.",
        "uk",
        "association",
        "UA",
        id="uk-religious-organisations-ban",
    ),
]

HARD_NEGATIVES = [
    # --- Polish: a court ruling on mortgages, a trading ban, an antitrust fine ---
    pytest.param(  # paraphrase of Bankier.pl, 3 Oct 2019
        "TSUE wydał wyrok w sprawie frankowiczów",
        "Trybunał orzekł, że sąd krajowy może unieważnić umowę kredytu z nieuczciwymi klauzulami.",
        "pl",
        id="pl-chf-mortgage-ruling",
    ),
    pytest.param(  # paraphrase of PAP, 24 Nov 2017
        "Zakaz handlu w niedziele. Sejm uchwalił ustawę",
        "Od marca sklepy będą otwarte tylko w wybrane niedziele.",
        "pl",
        id="pl-sunday-trading-ban",
    ),
    pytest.param(  # paraphrase of Money.pl, 18 Jul 2018
        "Google ukarany przez Komisję Europejską. 4,3 mld euro za Androida",
        "To kara za nadużywanie pozycji dominującej na rynku systemów operacyjnych.",
        "pl",
        id="pl-android-antitrust-fine",
    ),
    # --- Russian: an antitrust fine, an export ban, earnings ---
    pytest.param(  # paraphrase of RBC, Apr 2022
        "ФАС оштрафовала Apple на 906 млн рублей",
        "Антимонопольная служба сочла, что компания злоупотребила доминирующим положением на "
        "рынке приложений.",
        "ru",
        id="ru-apple-antitrust-fine",
    ),
    pytest.param(  # paraphrase of Interfax, 21 Sep 2023
        "Правительство ввело временный запрет на экспорт бензина и дизельного топлива",
        "Запрет введен для стабилизации цен на внутреннем рынке.",
        "ru",
        id="ru-fuel-export-ban",
    ),
    pytest.param(  # paraphrase of RBC, Feb 2024
        "Сбербанк отчитался о рекордной прибыли",
        "Чистая прибыль банка за год выросла на 20%.",
        "ru",
        id="ru-bank-earnings",
    ),
    # --- Ukrainian: a rate decision, an export ban, power-cut schedules ---
    pytest.param(  # paraphrase of an NBU press release, 2 Jun 2022
        "НБУ підвищив облікову ставку до 25%",
        "Рішення ухвалено для стримування інфляції.",
        "uk",
        id="uk-policy-rate",
    ),
    pytest.param(  # paraphrase of Ukrinform, Mar 2022
        "Уряд заборонив експорт гречки, цукру та інших продуктів",
        "Постанова Кабміну діятиме на період воєнного стану.",
        "uk",
        id="uk-food-export-ban",
    ),
    pytest.param(  # paraphrase of Suspilne, Oct 2022
        "Укренерго оголосило графіки відключень світла",
        "Через ракетні удари енергосистема працює з дефіцитом.",
        "uk",
        id="uk-power-cut-schedules",
    ),
]


def test_language_files_are_loaded(clf: Classifier) -> None:
    assert {"pl", "uk", "ru"} <= set(clf.languages)


@pytest.mark.parametrize(("title", "summary", "language", "topic", "code"), RELEVANT)
def test_relevant_headlines_are_flagged(
    clf: Classifier, title: str, summary: str, language: str, topic: str, code: str
) -> None:
    result = clf.classify(title, summary)
    assert result.language == language
    assert result.flagged, (result.score, result.matched)
    assert result.topics[0] == topic, result.matched
    assert result.jurisdictions[0] == code, result.matched


@pytest.mark.parametrize(("title", "summary", "language"), HARD_NEGATIVES)
def test_hard_negatives_are_not_flagged(
    clf: Classifier, title: str, summary: str, language: str
) -> None:
    result = clf.classify(title, summary)
    assert result.language == language
    assert not result.flagged, (result.score, result.matched)


def test_crimea_is_a_ukrainian_region_in_russian_text(clf: Classifier) -> None:
    result = clf.classify(
        "В Крыму отключили мобильный интернет", "Операторы сослались на требования властей."
    )
    assert result.flagged
    assert result.jurisdictions[0] == "UA"
    assert any(region.endswith("(UA)") for region in result.regions)
