"""Spanish, Portuguese, French, Italian and Dutch rules (feeds/rules/{es,pt,fr,it,nl}.toml).

Each case is a published headline (with a one-sentence summary) as remembered from a news,
NGO or official source; the comment names the publisher and the approximate date, and says
"paraphrase of" where the exact wording is not certain. About two thirds report a qualifying
legal or government development (flagged, right language, top topic and acting jurisdiction);
the rest are hard negatives with legal or platform words but no such development.
No text is taken from the ../shared corpora.
"""

from __future__ import annotations

import pytest

from incident_hub.watch.classify import Classifier

# (language, title, summary, top topic, jurisdiction)
RELEVANT = [
    # --- Spanish ---
    # paraphrase of El País, 22 Mar 2024
    (
        "es",
        "Un juez de la Audiencia Nacional ordena bloquear Telegram en España",
        "El magistrado acuerda la suspensión cautelar de la aplicación de mensajería en todo el "
        "país.",
        "shutdown-blocking",
        "ES",
    ),
    # paraphrase of Europa Press, 18 May 2022
    (
        "es",
        "La AEPD multa a Google con 10 millones de euros por ceder datos personales a terceros",
        "La Agencia Española de Protección de Datos sanciona a la compañía por vulnerar el "
        "derecho de supresión de los ciudadanos.",
        "surveillance-data-demands",
        "ES",
    ),
    # paraphrase of BBC News Mundo, 30 Aug 2024
    (
        "es",
        "El Supremo de Brasil ordena suspender X en todo el país",
        "El juez Alexandre de Moraes ordenó bloquear la red social por no designar un "
        "representante legal en Brasil.",
        "shutdown-blocking",
        "BR",
    ),
    # paraphrase of DW Español, 15 Oct 2020
    (
        "es",
        "Nicaragua aprueba la polémica Ley de Agentes Extranjeros",
        "La Asamblea Nacional obliga a registrarse a las personas y ONG que reciban financiación "
        "del exterior.",
        "association",
        "NI",
    ),
    # paraphrase of RTVE, 14 Mar 2022
    (
        "es",
        "Rusia bloquea el acceso a Instagram",
        "El regulador ruso de las comunicaciones restringe la red social en todo el país.",
        "shutdown-blocking",
        "RU",
    ),
    # paraphrase of La Moncloa press release, 4 Jun 2024
    (
        "es",
        "El Gobierno aprueba el anteproyecto de ley de protección de los menores en los entornos "
        "digitales",
        "La norma eleva a 16 años la edad mínima de registro en redes sociales en España y "
        "obliga a incorporar controles parentales.",
        "age-verification",
        "ES",
    ),
    # --- Portuguese ---
    # paraphrase of g1, 30 Aug 2024
    (
        "pt",
        "Moraes determina suspensão do X no Brasil",
        "O ministro do STF ordenou que a Anatel suspenda o acesso à rede social em todo o país.",
        "shutdown-blocking",
        "BR",
    ),
    # paraphrase of Folha de S.Paulo, 18 Mar 2022
    (
        "pt",
        "Moraes determina bloqueio do Telegram no Brasil",
        "A decisão cita o descumprimento de ordens judiciais pela plataforma de mensagens.",
        "shutdown-blocking",
        "BR",
    ),
    # paraphrase of g1, 6 Jul 2023
    (
        "pt",
        "ANPD aplica a primeira multa por descumprimento da LGPD",
        "A Autoridade Nacional de Proteção de Dados sancionou uma empresa por tratar dados "
        "pessoais sem base legal.",
        "surveillance-data-demands",
        "BR",
    ),
    # paraphrase of Público, 26 Mar 2024
    (
        "pt",
        "CNPD suspende recolha de dados biométricos da Worldcoin em Portugal",
        "A Comissão Nacional de Proteção de Dados ordenou a suspensão por 90 dias da recolha de "
        "imagens da íris.",
        "biometrics-ai",
        "PT",
    ),
    # paraphrase of Agência Brasil, 27 Feb 2024
    (
        "pt",
        "TSE aprova regras que proíbem deepfakes na propaganda eleitoral",
        "As resoluções do Tribunal Superior Eleitoral obrigam a rotular conteúdos feitos com "
        "inteligência artificial.",
        "elections",
        "BR",
    ),
    # --- French ---
    # paraphrase of Le Monde, 20 May 2021
    (
        "fr",
        "Loi « sécurité globale » : le Conseil constitutionnel censure l'article 24",
        "Les Sages ont jugé contraire à la Constitution la disposition qui pénalisait la diffusion "
        "d'images de policiers.",
        "content-removal",
        "FR",
    ),
    # paraphrase of Le Monde, 6 Jan 2022
    (
        "fr",
        "La CNIL inflige une amende de 150 millions d'euros à Google pour les cookies",
        "Le régulateur reproche au moteur de recherche de rendre le refus des traceurs plus "
        "difficile que leur acceptation.",
        "surveillance-data-demands",
        "FR",
    ),
    # paraphrase of RFI, 4 Jun 2023
    (
        "fr",
        "Sénégal : le gouvernement suspend l'internet mobile",
        "Le ministère de la Communication invoque la diffusion de messages haineux et subversifs "
        "sur les réseaux sociaux.",
        "shutdown-blocking",
        "SN",
    ),
    # paraphrase of franceinfo, 15 May 2024
    (
        "fr",
        "Nouvelle-Calédonie : le gouvernement décrète l'état d'urgence et interdit TikTok",
        "Le Premier ministre a annoncé l'interdiction du réseau social après plusieurs nuits "
        "d'émeutes.",
        "emergency-violence",
        "FR",
    ),
    # paraphrase of Le Monde, 13 Mar 2024
    (
        "fr",
        "Le Parlement européen adopte le règlement sur l'intelligence artificielle",
        "Le texte interdit la notation sociale et encadre la reconnaissance faciale en temps réel.",
        "biometrics-ai",
        "EU",
    ),
    # --- Italian ---
    # paraphrase of ANSA, 31 Mar 2023
    (
        "it",
        "Il Garante privacy blocca ChatGPT in Italia",
        "Disposta la limitazione provvisoria del trattamento dei dati degli utenti italiani nei "
        "confronti di OpenAI.",
        "surveillance-data-demands",
        "IT",
    ),
    # paraphrase of ANSA, 20 Dec 2024
    (
        "it",
        "Il Garante privacy multa OpenAI per 15 milioni di euro",
        "L'Autorità contesta la raccolta dei dati personali usati per addestrare ChatGPT.",
        "surveillance-data-demands",
        "IT",
    ),
    # paraphrase of ANSA, 14 Mar 2022
    (
        "it",
        "Russia, bloccato l'accesso a Instagram",
        "Il regolatore Roskomnadzor ha limitato l'accesso al social network in tutto il Paese.",
        "shutdown-blocking",
        "RU",
    ),
    # paraphrase of Il Sole 24 Ore, 13 Mar 2024
    (
        "it",
        "Via libera del Parlamento europeo all'AI Act",
        "Il regolamento sull'intelligenza artificiale vieta il riconoscimento facciale in tempo "
        "reale negli spazi pubblici.",
        "biometrics-ai",
        "EU",
    ),
    # paraphrase of la Repubblica, 18 Mar 2025
    (
        "it",
        "Ungheria, approvata la legge che vieta il Pride",
        "Il Parlamento di Budapest vieta gli eventi che promuovono l'omosessualità ai minori e "
        "autorizza il riconoscimento facciale dei partecipanti.",
        "non-discrimination",
        "HU",
    ),
    # --- Dutch ---
    # paraphrase of NOS, 26 Aug 2024
    (
        "nl",
        "Autoriteit Persoonsgegevens legt Uber boete van 290 miljoen euro op",
        "Uber gaf persoonsgegevens van Europese chauffeurs zonder passende waarborgen door aan "
        "de Verenigde Staten.",
        "surveillance-data-demands",
        "NL",
    ),
    # paraphrase of NOS, 5 Feb 2020
    (
        "nl",
        "Rechter: opsporingssysteem SyRI in strijd met mensenrechten",
        "De rechtbank in Den Haag oordeelt dat de risicoprofilering van burgers hun privacy "
        "schendt.",
        "biometrics-ai",
        "NL",
    ),
    # paraphrase of NOS, 3 Sep 2024
    (
        "nl",
        "Miljoenenboete voor Clearview AI vanwege illegale database met gezichten",
        "De Autoriteit Persoonsgegevens legt het bedrijf een boete van 30,5 miljoen euro op voor "
        "gezichtsherkenning in strijd met de AVG.",
        "surveillance-data-demands",
        "NL",
    ),
    # paraphrase of NOS, 4 Mar 2022
    (
        "nl",
        "Rusland blokkeert Facebook",
        "De Russische toezichthouder beperkt de toegang tot het sociale netwerk.",
        "shutdown-blocking",
        "RU",
    ),
    # paraphrase of NOS, 14 May 2024
    (
        "nl",
        "Georgisch parlement neemt omstreden wet over buitenlandse agenten aan",
        "Organisaties met meer dan twintig procent buitenlandse financiering moeten zich in "
        "Tbilisi laten registreren.",
        "association",
        "GE",
    ),
]

# (language, title, summary): legal or platform words, no qualifying development
HARD_NEGATIVES = [
    # paraphrase of El País, 18 Jul 2023: competition fine
    (
        "es",
        "La CNMC multa a Amazon y Apple con 194 millones por restringir la competencia",
        "La autoridad de competencia sanciona a las dos tecnológicas por limitar la venta de "
        "productos de otras marcas.",
    ),
    # paraphrase of Marca: a football club fined
    (
        "es",
        "El Real Madrid, multado por la UEFA por el comportamiento de sus aficionados",
        "El club deberá pagar 30.000 euros tras los incidentes del partido de Champions.",
    ),
    # paraphrase of Expansión: quarterly results
    (
        "es",
        "Telefónica gana un 20% más en el primer trimestre",
        "La operadora eleva su beneficio neto gracias a la fibra y los datos móviles.",
    ),
    # paraphrase of g1: a tax ruling
    (
        "pt",
        "STF mantém cobrança de ICMS sobre combustíveis",
        "O Supremo rejeitou o recurso dos estados contra a mudança na tributação.",
    ),
    # paraphrase of ge.globo: a football club fined
    (
        "pt",
        "Flamengo é multado após confusão no Maracanã",
        "O clube terá de pagar R$ 50 mil pelo comportamento da torcida no campeonato.",
    ),
    # paraphrase of g1, 15 Aug 2023: a power cut, not an internet shutdown
    (
        "pt",
        "Apagão atinge 25 estados e o Distrito Federal",
        "O Ministério de Minas e Energia diz que o sistema elétrico foi restabelecido.",
    ),
    # paraphrase of Le Monde, 4 Dec 2024: a no-confidence vote
    (
        "fr",
        "Motion de censure : le gouvernement Barnier renversé",
        "Les députés ont voté la censure du gouvernement à l'Assemblée nationale.",
    ),
    # paraphrase of Le Monde, 31 Mar 2025: a competition fine
    (
        "fr",
        "L'Autorité de la concurrence inflige une amende de 150 millions d'euros à Apple",
        "Le gendarme de la concurrence sanctionne un abus de position dominante.",
    ),
    # paraphrase of Frandroid: a product review
    (
        "fr",
        "Test du Samsung Galaxy S24 : notre avis complet",
        "Le smartphone mise sur l'intelligence artificielle et la reconnaissance faciale.",
    ),
    # paraphrase of Corriere della Sera, May 2021: COVID curfew
    (
        "it",
        "Coronavirus, il governo valuta lo slittamento del coprifuoco alle 23",
        "Il nuovo decreto potrebbe anticipare le riaperture dei ristoranti.",
    ),
    # paraphrase of la Repubblica: a transport strike
    (
        "it",
        "Sciopero dei trasporti, treni a rischio venerdì",
        "I sindacati confermano la protesta di 24 ore.",
    ),
    # paraphrase of Il Sole 24 Ore: a tax court ruling
    (
        "it",
        "Il Tar del Lazio annulla la multa del fisco a una società",
        "I giudici accolgono il ricorso sull'Iva.",
    ),
    # paraphrase of NOS, Sep 2024: the budget
    (
        "nl",
        "Kabinet presenteert Miljoenennota en belastingplan",
        "De koopkracht stijgt volgend jaar licht, schrijft de minister van Financiën.",
    ),
    # paraphrase of NOS: a football club fined
    (
        "nl",
        "Ajax beboet door UEFA na wangedrag van supporters",
        "De club moet een boete van 50.000 euro betalen na de wedstrijd in de Champions League.",
    ),
    # paraphrase of NOS, Jan 2023: arrests at a road blockade, no legal development
    (
        "nl",
        "Politie pakt honderden klimaatactivisten op bij A12-blokkade",
        "De demonstranten werden met bussen afgevoerd.",
    ),
]


@pytest.mark.parametrize(("code", "title", "summary", "topic", "jurisdiction"), RELEVANT)
def test_romance_relevant_items_are_flagged(
    clf: Classifier, code: str, title: str, summary: str, topic: str, jurisdiction: str
) -> None:
    result = clf.classify(title, summary)
    assert result.language == code
    assert result.flagged, (result.score, result.matched)
    assert result.topics[0] == topic, (result.topics, result.matched)
    assert result.jurisdictions[:1] == (jurisdiction,), (result.jurisdictions, result.matched)


@pytest.mark.parametrize(("code", "title", "summary"), HARD_NEGATIVES)
def test_romance_hard_negatives_are_not_flagged(
    clf: Classifier, code: str, title: str, summary: str
) -> None:
    result = clf.classify(title, summary)
    assert result.language == code
    assert not result.flagged, (result.score, result.matched)


def test_read_also_and_no_confidence_votes_are_not_laws_or_censorship(clf: Classifier) -> None:
    """Low-weight phrases keep everyday senses quiet: Italian "Leggi anche" (read also) is not
    "laws", and a French "motion de censure" is a vote against a government."""
    read = clf.classify("Leggi anche: la censura dei social in Cina", "", language="it")
    assert "action: leggi anche" in read.matched and "action: leggi" not in read.matched
    vote = clf.classify("Motion de censure : le gouvernement tombe", "", language="fr")
    assert "content-removal: censure" not in vote.matched
