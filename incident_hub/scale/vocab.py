"""The vocabulary seeded cases are written from: the kinds of law change in DOMAIN.md, each with
a few themes (an instrument pattern, titles and summary lines that belong together), plus
jurisdictions, authorities, topics, at-risk groups and the sentences of analyses and decisions.
Slots in braces are filled per case. Illustrations only: no real order is described."""

from __future__ import annotations

# fmt: off
COUNTRIES = {
    "TR": "Turkey", "RU": "Russia", "IN": "India", "PK": "Pakistan", "BR": "Brazil",
    "NG": "Nigeria", "DE": "Germany", "FR": "France", "GB": "the United Kingdom",
    "AU": "Australia", "SG": "Singapore", "VN": "Vietnam", "ID": "Indonesia", "TH": "Thailand",
    "MM": "Myanmar", "ET": "Ethiopia", "EG": "Egypt", "SA": "Saudi Arabia", "AE": "the UAE",
    "KZ": "Kazakhstan", "BY": "Belarus", "GE": "Georgia", "HU": "Hungary", "PL": "Poland",
    "US": "the United States", "MX": "Mexico", "CO": "Colombia", "VE": "Venezuela",
    "NI": "Nicaragua", "KE": "Kenya", "UG": "Uganda", "TZ": "Tanzania", "ZW": "Zimbabwe",
    "BD": "Bangladesh", "LK": "Sri Lanka", "PH": "the Philippines", "MY": "Malaysia",
    "KH": "Cambodia", "IR": "Iran", "JO": "Jordan", "EU": "the European Union",
}
AUTHORITIES = (
    "Information and Communication Technologies Authority", "Ministry of Digital Affairs",
    "Telecommunications Regulatory Commission", "Ministry of the Interior",
    "Media and Communications Supervisory Service", "Data Protection Authority",
    "Cybercrime Unit of the National Police", "Ministry of Information", "Office of the Prosecutor",
    "Communications Commission", "National Security Council", "High Court", "Electoral Commission",
)
# playbook -> themes; a theme is (instrument patterns, title templates, summary lines).
# {n} is a number and {y} a year in instruments; the other slots are filled per case.
THEMES: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]] = {
    "content-takedown": [
        (("Law {n} on Internet Publications", "Cybercrime Law {n}", "Press Code art. {n}"),
         ("Order to remove {k} posts about {topic}",
          "{authority} demands takedown of {topic} videos",
          "Court order to delete reporting on {topic}"),
         ("The order lists {k} URLs and gives a {h}-hour removal deadline.",
          "Most items are political speech and reporting on {topic}.",
          "Several items appear lawful and do not breach our policies.",
          "Fines and bandwidth throttling are threatened for non-compliance.")),
        (("Social Media Law {n}", "Information Technology Rules {y}", "Network Enforcement Act"),
         ("24-hour removal deadlines and resident officers under {instrument}",
          "Traceability of the first originator of messages in {country}"),
         ("Platforms must remove flagged content within 24 hours and appoint resident officers.",
          "Officers face personal liability for missed removals.",
          "Identifying the first originator would break end-to-end encryption.",
          "Transparency reports must list every removal by legal provision.")),
        (("Digital Services Act art. 9", "Emergency Content Order {n}/{y}"),
         ("Geo-blocking demand for accounts of {group}", "Order to act against {topic} content"),
         ("The order asks for geo-blocking of {k} accounts run by {group}.",
          "The legal provision cited is not specified.",
          "The accounts document {topic}; restriction would silence them.")),
    ],
    "data-localisation": [
        (("Law {n} on Personal Data", "Federal Law {n}-FZ", "Data Localisation Decree {n}"),
         ("Local storage mandate for {data}", "{authority} requires in-country servers for {data}"),
         ("Providers must store {data} on servers inside the country within {m} months.",
          "Local storage would expose {data} of {group} to state access.",
          "Peers are weighing withdrawal from the market.")),
        (("Law {n} amending the Internet Law", "Online Harm Rules {y}"),
         ("Local representative duty and 48-hour removals under {instrument}",
          "Local representative and localisation duty in {country}"),
         ("A local representative with power to act on removals must be appointed.",
          "Advertising bans and bandwidth throttling of up to 90% follow refusal.",
          "Removal requests must be answered within 48 hours.")),
    ],
    "encryption-lawful-access": [
        (("Assistance and Access Act s.{n}", "Investigatory Powers Act {y}"),
         ("Technical capability notice affecting end-to-end encryption",
          "Key escrow proposal under {instrument}"),
         ("The notice would require a systemic weakness in end-to-end encryption.",
          "Secrecy provisions prevent disclosing the notice to users.",
          "Security teams warn that key escrow creates a target for attackers.")),
        (("Online Safety Act s.{n}", "Child Protection Regulation {n}"),
         ("Client-side scanning mandate for encrypted messaging",
          "Scanning of private messages required in {country}"),
         ("Client-side scanning would apply to every user, not only suspects.",
          "Review by a judicial commissioner is available but slow.")),
    ],
    "network-shutdown": [
        (("Telecommunications Act s.{n}", "Public Order Act s.{n}"),
         ("Mobile data shutdown in {region} during {event}",
          "Regional internet blackout ordered by {authority}"),
         ("The order covers mobile data in {region} for an unspecified duration.",
          "Emergency services and journalists lose connectivity.",
          "Civil society reports the shutdown coincides with {event}.")),
        (("Emergency Decree {n}/{y}", "State of Emergency Order {n}"),
         ("Order to block {service} nationwide during {event}",
          "Throttling of social media before {event}"),
         ("The order was given orally; we asked for it in writing.",
          "GSMA guidance asks to minimise geographic and functional scope.",
          "Blocking {service} cuts off {group} from their audiences.")),
    ],
    "platform-regulation": [
        (("Foreign Agents Law {y}", "Law {n} on Transparency of Foreign Influence"),
         ("Foreign-agent labelling duty for {group}",
          "{instrument}: labels for foreign-funded pages"),
         ("Organisations receiving foreign funding must be labelled on the platform.",
          "The registry is run by {authority} with no appeal.",
          "Labelling would stigmatise {group}.")),
        (("False Information Law {n}", "Protection from Online Falsehoods Act"),
         ("'False information' law requires correction notices",
          "Correction directions on posts about {topic}"),
         ("Correction notices must be attached within {h} hours of an order.",
          "The definitions of falsehood are vague and cover {topic}.")),
        (("Age Verification Act {y}", "Online Safety Code {n}"),
         ("Age verification mandate for social media in {country}",
          "Under-16 ban on social media accounts"),
         ("Age verification would require identity documents from every user.",
          "The consultation closes in {m} weeks; peers plan a joint submission.")),
    ],
    "surveillance-data-demand": [
        (("Criminal Procedure Code art. {n}", "Anti-Terrorism Law {n}"),
         ("Bulk demand for subscriber data of {group}",
          "Request to identify accounts posting about {topic}"),
         ("The demand asks for identity, location and contacts of {k} accounts.",
          "No court order accompanies the request.",
          "The accounts belong to {group} reporting on {topic}.",
          "An emergency exception is claimed without specifics.")),
        (("Intelligence Services Act {y}", "Biometric Identification Decree {n}"),
         ("Real-time interception mandate under {instrument}",
          "Biometric surveillance requirement for {service}"),
         ("Real-time interception would need new capability in our systems.",
          "Biometric matching would cover every user of {service}.")),
    ],
}
TOPICS = ("the protests", "the election", "corruption", "the armed conflict", "LGBTQ+ rights",
          "a religious minority", "public health", "the royal family", "military operations",
          "the opposition leader", "police violence", "a separatist movement", "the dam project",
          "a mining disaster", "labour strikes", "refugee camps")
GROUPS = ("journalists", "human-rights defenders", "opposition politicians", "LGBTQ+ users",
          "an ethnic minority", "women activists", "students", "lawyers", "trade unionists",
          "environmental campaigners", "religious leaders")
DATA = ("user messages", "location data", "payment records", "subscriber identities", "contacts")
REGIONS = ("the capital", "the northern provinces", "the border region", "two eastern states")
EVENTS = ("national exams", "the election count", "mass protests", "the referendum")
SERVICES = ("the messaging app", "the video service", "VPN services", "the social network")
QUALITY = ("weak", "contested", "clear but overbroad", "limited", "strong")
ANALYSIS = (
    "Legal basis is {quality}: the provision cited does not clearly cover {topic}.",
    "The order was issued by {authority}, which has no power to order removals on its own.",
    "Impact on {group} is severe in scale and hard to remedy; likelihood is high.",
    "The demand fails necessity and proportionality under international standards (GNI).",
    "We would contribute to the harm if we comply in full (UNGP 19).",
    "Leverage is {quality}; peers and civil society share our concerns about {instrument}.",
    "Engineering can restrict access only in {country}, without effect elsewhere.",
    "Local staff may face prosecution; security recommends a support plan.",
    "We can publish the numbers in the transparency report (RDR F6) unless gagged.",
    "Affected users can be notified (RDR F8) and offered an appeal.",
    "Compliance would expose {data} of {group} to the authorities.",
    "An appeal to the courts would not suspend the deadline.",
    "Coverage of {topic} by {group} is journalism of public interest.",
    "The measure goes beyond what {instrument} itself allows.",
    "Consulting civil society in {country} is possible within the deadline.",
    "Withdrawal would cut off users who rely on us to reach {group}.",
)
RATIONALE = (
    "We comply only with items that are illegal locally and decline the rest, giving reasons.",
    "The order is overbroad; we seek clarification and narrow scope before acting.",
    "We challenge the order in court and ask for interim relief.",
    "Risk to {group} outweighs the penalty; we will work with peers and GNI.",
    "We restrict access in {country} only and notify affected users.",
    "We publish the demand in the transparency report and tell the users concerned.",
)
ACTIONS = ("Notify affected users", "Publish in the transparency report", "File the appeal",
           "Brief GNI and peers", "Support local staff", "Review the restriction in 90 days")
# fmt: on
