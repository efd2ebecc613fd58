"""Fictional startups shared by the sample websites, the PitchBook emulator and the demo's
Salesforce seed, so all three tell the same story about the same companies.

Pure data, deterministic. Every domain is under the reserved `.example` TLD so nothing here
can ever point at a real company or mailbox. A few names are awkward on purpose (an
apostrophe, a backslash, non-ASCII letters, SOQL keywords, LIKE wildcards): they are the
names that break string-built queries and naive slugging.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Founder:
    first: str
    last: str
    title: str
    email: str

    @property
    def full_name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class Round:
    kind: str  # "Seed", "Series A", ...
    date: str  # ISO date the round closed
    amount_usd: int
    lead_investor: str


@dataclass(frozen=True)
class SampleCompany:
    name: str
    slug: str  # URL-safe, unique
    domain: str
    pitch: str  # one line
    description: str
    traction: str
    sector: str
    stage: str
    city: str
    country: str
    founders: tuple[Founder, ...]
    founded: int
    employees: int
    total_raised_usd: int
    last_round: Round
    investors: tuple[str, ...]

    @property
    def website(self) -> str:
        return f"https://www.{self.domain}"

    @property
    def location(self) -> str:
        return f"{self.city}, {self.country}"


def _c(
    *,
    name: str,
    slug: str,
    domain: str,
    pitch: str,
    description: str,
    traction: str,
    sector: str,
    stage: str,
    city: str,
    country: str,
    founders: list[tuple[str, str, str, str]],
    founded: int,
    employees: int,
    total_raised_usd: int,
    last_round: tuple[str, str, int, str],
    investors: list[str],
) -> SampleCompany:
    """Founders and the last round as plain tuples, so the table below stays readable."""
    return SampleCompany(
        name=name,
        slug=slug,
        domain=domain,
        pitch=pitch,
        description=description,
        traction=traction,
        sector=sector,
        stage=stage,
        city=city,
        country=country,
        founders=tuple(Founder(*f) for f in founders),
        founded=founded,
        employees=employees,
        total_raised_usd=total_raised_usd,
        last_round=Round(*last_round),
        investors=tuple(investors),
    )


COMPANIES: tuple[SampleCompany, ...] = (
    _c(
        name="Brightloop Energy",
        slug="brightloop-energy",
        domain="brightloop.example",
        pitch="Software that lets factories sell their flexible electricity demand back to the grid.",
        description=(
            "Brightloop connects to the controllers of industrial chillers, furnaces and compressors and shifts "
            "their consumption by minutes or hours without touching production targets. The flexibility is "
            "pooled into a virtual power plant and sold on balancing markets, and the factory keeps 70% of "
            "the revenue. Installation takes two days and needs no new hardware on most sites."
        ),
        traction=(
            "42 factories under contract across Germany and the Netherlands, 61 MW of flexible load, "
            "€3.4M annual recurring revenue growing 3x year on year."
        ),
        sector="Climate tech",
        stage="Series A",
        city="Hamburg",
        country="Germany",
        founders=[
            ("Lena", "Hartmann", "CEO", "lena.hartmann@brightloop.example"),
            ("Jonas", "Weber", "CTO", "jonas.weber@brightloop.example"),
        ],
        founded=2021,
        employees=38,
        total_raised_usd=14_500_000,
        last_round=("Series A", "2024-03-12", 11_000_000, "Northwind Climate Partners"),
        investors=["Northwind Climate Partners", "Fjord Ventures", "Angel syndicate"],
    ),
    _c(
        name="Ledgerleaf",
        slug="ledgerleaf",
        domain="ledgerleaf.example",
        pitch="Month-end close for mid-market finance teams in three days instead of twelve.",
        description=(
            "Ledgerleaf reads the general ledger, bank feeds and sub-ledgers, reconciles them continuously and "
            "drafts accruals and journal entries for review. Controllers approve instead of building "
            "spreadsheets, and auditors get a complete trail of every change."
        ),
        traction="120 paying customers, net revenue retention of 134%, $5.1M ARR.",
        sector="Fintech",
        stage="Series B",
        city="Austin",
        country="United States",
        founders=[
            ("Priya", "Raman", "CEO", "priya@ledgerleaf.example"),
            ("Marcus", "Bell", "CTO", "marcus@ledgerleaf.example"),
            ("Dana", "Okafor", "COO", "dana@ledgerleaf.example"),
        ],
        founded=2019,
        employees=96,
        total_raised_usd=48_000_000,
        last_round=("Series B", "2024-09-03", 30_000_000, "Harbor Point Capital"),
        investors=["Harbor Point Capital", "Sequent Seed", "Lakeside Growth"],
    ),
    _c(
        name="O'Brien & Daughters Robotics",
        slug="obrien-daughters-robotics",
        domain="obrien-robotics.example",
        pitch="Retrofit kits that turn ageing dairy parlours into robotic milking stations.",
        description=(
            "A family business turned startup: O'Brien & Daughters builds bolt-on robotic arms and vision "
            "systems that fit the rotary parlours already on most mid-size dairy farms. Farmers avoid a "
            "€400k parlour rebuild and cut milking labour by half, with cow-level health data as a bonus."
        ),
        traction="Installed on 57 farms in Ireland and the UK; average payback period of 19 months.",
        sector="Agtech",
        stage="Seed",
        city="Cork",
        country="Ireland",
        founders=[
            ("Niamh", "O'Brien", "CEO", "niamh.obrien@obrien-robotics.example"),
            ("Aoife", "O'Brien", "Head of Engineering", "aoife.obrien@obrien-robotics.example"),
            ("Declan", "O'Brien", "Chairman", "declan.obrien@obrien-robotics.example"),
        ],
        founded=2020,
        employees=24,
        total_raised_usd=6_200_000,
        last_round=("Seed", "2023-11-20", 4_500_000, "Greenfield Agri Fund"),
        investors=["Greenfield Agri Fund", "Enterprise Ireland"],
    ),
    _c(
        name="Zürich Quantum AG",
        slug="zurich-quantum",
        domain="zurich-quantum.example",
        pitch="Error-corrected quantum memory modules for photonic quantum computers.",
        description=(
            "Zürich Quantum develops rare-earth-doped crystal memories that store photonic qubits for "
            "milliseconds with high fidelity, a missing building block for scalable photonic quantum "
            "computers and quantum networks. The team spun out of ETH research and sells development kits "
            "to national labs while building toward a full memory module."
        ),
        traction="Four paid development-kit contracts with research labs; two joint patents filed in 2024.",
        sector="Quantum computing",
        stage="Seed",
        city="Zürich",
        country="Switzerland",
        founders=[
            ("Lukas", "Müller", "CEO", "lukas.mueller@zurich-quantum.example"),
            ("Zoë", "Châtelain", "CTO", "zoe.chatelain@zurich-quantum.example"),
        ],
        founded=2022,
        employees=15,
        total_raised_usd=9_800_000,
        last_round=("Seed", "2024-01-30", 7_000_000, "Alpine Deep Tech"),
        investors=["Alpine Deep Tech", "Venture Kick"],
    ),
    _c(
        name="Select Or Where Labs",
        slug="select-or-where-labs",
        domain="selectorwhere.example",
        pitch="A query copilot that turns plain-English questions into safe, reviewed SQL.",
        description=(
            "Select Or Where Labs sits between business users and the data warehouse: people ask questions in "
            "plain English, the copilot drafts SQL against the governed semantic layer, and data teams "
            "review popular queries once so everyone can reuse them. Row-level security is enforced "
            "before any query runs."
        ),
        traction="31 enterprise pilots, 9 converted to annual contracts; 14,000 weekly active users.",
        sector="Developer tools",
        stage="Seed",
        city="London",
        country="United Kingdom",
        founders=[
            ("Hannah", "Cho", "CEO", "hannah@selectorwhere.example"),
            ("Tom", "Delaney", "CTO", "tom@selectorwhere.example"),
        ],
        founded=2022,
        employees=19,
        total_raised_usd=5_500_000,
        last_round=("Seed", "2024-05-14", 4_000_000, "Queryside Ventures"),
        investors=["Queryside Ventures", "Tidewater Angels"],
    ),
    _c(
        name="Path\\Finder Logistics",
        slug="path-finder-logistics",
        domain="pathfinder-logistics.example",
        pitch="Route planning for last-mile fleets that re-optimises every time a driver is late.",
        description=(
            "Path\\Finder plans delivery routes for fleets of 20 to 2,000 vans and re-plans continuously as "
            "traffic, failed deliveries and new orders come in. Dispatchers see a live plan; drivers get "
            "turn-by-turn stops in their own language. Average fuel savings are 14%."
        ),
        traction="1,900 vans on the platform across 23 customers; $2.2M ARR.",
        sector="Logistics",
        stage="Series A",
        city="Warsaw",
        country="Poland",
        founders=[
            ("Katarzyna", "Nowak", "CEO", "k.nowak@pathfinder-logistics.example"),
            ("Piotr", "Zieliński", "CTO", "p.zielinski@pathfinder-logistics.example"),
        ],
        founded=2020,
        employees=41,
        total_raised_usd=12_000_000,
        last_round=("Series A", "2023-10-02", 9_000_000, "Vistula Capital"),
        investors=["Vistula Capital", "Baltic Seed"],
    ),
    _c(
        name="50% Less Carbon Ltd",
        slug="fifty-percent-less-carbon",
        domain="50lesscarbon.example",
        pitch="Low-clinker cement blends that halve the CO₂ of ready-mix concrete.",
        description=(
            "50% Less Carbon formulates cement blends from calcined clay and limestone that replace half of "
            "the clinker in ordinary Portland cement. Blends are certified to existing standards, so "
            "ready-mix plants switch without new equipment, and contractors pay a small green premium."
        ),
        traction="Supplying 3 ready-mix plants; 18,000 tonnes sold in 2024; letters of intent for 120,000 tonnes.",
        sector="Climate tech",
        stage="Series A",
        city="Manchester",
        country="United Kingdom",
        founders=[
            ("Grace", "Adeyemi", "CEO", "grace@50lesscarbon.example"),
            ("Oliver", "Finch", "Chief Scientist", "oliver@50lesscarbon.example"),
        ],
        founded=2021,
        employees=27,
        total_raised_usd=16_000_000,
        last_round=("Series A", "2024-06-18", 12_000_000, "Concrete Futures Fund"),
        investors=["Concrete Futures Fund", "Northwind Climate Partners"],
    ),
    _c(
        name="Kestrel Health",
        slug="kestrel-health",
        domain="kestrelhealth.example",
        pitch="Remote monitoring that catches heart-failure decompensation a week earlier.",
        description=(
            "Kestrel pairs a chest patch with a model trained on 40,000 patient-years of cardiology data. "
            "Nurses get a prioritised worklist of patients trending toward decompensation, typically six "
            "to nine days before symptoms would bring them to the emergency department."
        ),
        traction="Deployed in 11 hospital systems; a 28% reduction in 30-day readmissions in a 900-patient study.",
        sector="Healthtech",
        stage="Series B",
        city="Boston",
        country="United States",
        founders=[
            ("Elena", "Vasquez", "CEO", "elena@kestrelhealth.example"),
            ("Samuel", "Greene", "Chief Medical Officer", "sam@kestrelhealth.example"),
        ],
        founded=2018,
        employees=120,
        total_raised_usd=62_000_000,
        last_round=("Series B", "2023-07-25", 35_000_000, "Meridian Health Ventures"),
        investors=["Meridian Health Ventures", "Harbor Point Capital", "Beacon Bio Angels"],
    ),
    _c(
        name="Tallyhive",
        slug="tallyhive",
        domain="tallyhive.example",
        pitch="Inventory forecasting for independent pharmacies.",
        description=(
            "Tallyhive plugs into pharmacy management systems and forecasts demand per product and branch, "
            "so independent pharmacies hold less stock while running out less often. Orders are drafted "
            "automatically for the pharmacist to approve."
        ),
        traction="640 pharmacies subscribed; stock-outs down 37% on average.",
        sector="Healthtech",
        stage="Seed",
        city="Lyon",
        country="France",
        founders=[
            ("Camille", "Rousseau", "CEO", "camille@tallyhive.example"),
            ("Hugo", "Lefèvre", "CTO", "hugo@tallyhive.example"),
        ],
        founded=2021,
        employees=22,
        total_raised_usd=4_800_000,
        last_round=("Seed", "2023-12-05", 3_500_000, "Rhône Seed Partners"),
        investors=["Rhône Seed Partners", "Angel syndicate"],
    ),
    _c(
        name="Quillstone",
        slug="quillstone",
        domain="quillstone.example",
        pitch="Contract review for in-house legal teams that learns the company's own playbook.",
        description=(
            "Quillstone reads incoming NDAs, MSAs and DPAs, compares every clause with the company's "
            "negotiation playbook and proposes redlines with the reasoning attached. Lawyers stay in "
            "Word; Quillstone lives in a side panel."
        ),
        traction="85 legal teams, median review time down from 90 to 25 minutes per contract.",
        sector="Legal tech",
        stage="Series A",
        city="Amsterdam",
        country="Netherlands",
        founders=[
            ("Sanne", "de Vries", "CEO", "sanne@quillstone.example"),
            ("Ravi", "Menon", "CTO", "ravi@quillstone.example"),
        ],
        founded=2020,
        employees=44,
        total_raised_usd=18_000_000,
        last_round=("Series A", "2024-02-20", 14_000_000, "Canal Street Ventures"),
        investors=["Canal Street Ventures", "Fjord Ventures"],
    ),
    _c(
        name="Harvestmesh",
        slug="harvestmesh",
        domain="harvestmesh.example",
        pitch="Soil-moisture sensing networks that cut irrigation water use by a third.",
        description=(
            "Harvestmesh sells solar-powered soil probes that form a long-range mesh over the farm and a "
            "scheduling app that tells growers when and how long to irrigate each block. Water utilities "
            "subsidise the probes in drought-prone regions."
        ),
        traction="9,500 probes deployed on 310 farms in Spain and Portugal.",
        sector="Agtech",
        stage="Seed",
        city="Valencia",
        country="Spain",
        founders=[
            ("Lucía", "Fernández", "CEO", "lucia@harvestmesh.example"),
            ("Andrés", "Molina", "CTO", "andres@harvestmesh.example"),
        ],
        founded=2021,
        employees=17,
        total_raised_usd=3_900_000,
        last_round=("Seed", "2023-09-14", 3_000_000, "Greenfield Agri Fund"),
        investors=["Greenfield Agri Fund", "Iberia Angels"],
    ),
    _c(
        name="Cobalt Shield Security",
        slug="cobalt-shield-security",
        domain="cobaltshield.example",
        pitch="Finds and revokes leaked cloud credentials before attackers use them.",
        description=(
            "Cobalt Shield watches code repositories, CI logs, chat tools and ticketing systems for "
            "secrets, verifies which ones are live, and rotates them through the cloud provider's API with "
            "one click. Security teams get an inventory of every credential and who owns it."
        ),
        traction="210 customers including 4 listed banks; $7.8M ARR.",
        sector="Cybersecurity",
        stage="Series B",
        city="Tel Aviv",
        country="Israel",
        founders=[
            ("Noa", "Levi", "CEO", "noa@cobaltshield.example"),
            ("Eitan", "Mizrahi", "CTO", "eitan@cobaltshield.example"),
        ],
        founded=2019,
        employees=88,
        total_raised_usd=51_000_000,
        last_round=("Series B", "2024-04-09", 32_000_000, "Lakeside Growth"),
        investors=["Lakeside Growth", "Sequent Seed", "Carmel Ventures"],
    ),
    _c(
        name="Nimbus Tutor",
        slug="nimbus-tutor",
        domain="nimbustutor.example",
        pitch="Adaptive maths practice for secondary schools, aligned to national curricula.",
        description=(
            "Nimbus Tutor gives every pupil a practice set that adapts after each answer and explains "
            "mistakes step by step. Teachers see which concepts the class is stuck on before the next "
            "lesson. Content is aligned to the English, Welsh and Irish curricula."
        ),
        traction="1,150 schools, 410,000 pupils; 62% of schools renew into a paid plan after the free term.",
        sector="Edtech",
        stage="Series A",
        city="Cardiff",
        country="United Kingdom",
        founders=[
            ("Rhys", "Evans", "CEO", "rhys@nimbustutor.example"),
            ("Megan", "Price", "Head of Learning", "megan@nimbustutor.example"),
        ],
        founded=2019,
        employees=52,
        total_raised_usd=13_500_000,
        last_round=("Series A", "2023-05-30", 10_000_000, "Learning Curve Capital"),
        investors=["Learning Curve Capital", "Tidewater Angels"],
    ),
    _c(
        name="Parcelnest",
        slug="parcelnest",
        domain="parcelnest.example",
        pitch="Shared parcel lockers for apartment buildings, open to every carrier.",
        description=(
            "Parcelnest installs lockers in apartment lobbies and lets any carrier deliver into them "
            "through an open API, so residents stop missing deliveries and carriers stop making second "
            "attempts. Building owners pay nothing; carriers pay per drop."
        ),
        traction="2,300 lockers in 5 cities; 1.1M parcels delivered in 2024.",
        sector="Logistics",
        stage="Series A",
        city="Copenhagen",
        country="Denmark",
        founders=[
            ("Freja", "Nielsen", "CEO", "freja@parcelnest.example"),
            ("Mads", "Christensen", "COO", "mads@parcelnest.example"),
        ],
        founded=2020,
        employees=63,
        total_raised_usd=21_000_000,
        last_round=("Series A", "2023-08-16", 15_000_000, "Fjord Ventures"),
        investors=["Fjord Ventures", "Nordic Mobility Fund"],
    ),
    _c(
        name="Verdant Protein",
        slug="verdant-protein",
        domain="verdantprotein.example",
        pitch="Fermentation-made egg proteins for industrial bakeries.",
        description=(
            "Verdant Protein produces ovalbumin by precision fermentation, a drop-in replacement for egg "
            "white in industrial baking with a stable price and no avian-flu supply shocks. The company "
            "licenses its strain and co-manufactures with existing fermentation plants."
        ),
        traction="Regulatory approval in Singapore; offtake agreements with two European bakery groups.",
        sector="Foodtech",
        stage="Series A",
        city="Ghent",
        country="Belgium",
        founders=[
            ("Pieter", "Janssens", "CEO", "pieter@verdantprotein.example"),
            ("Ines", "Claes", "CSO", "ines@verdantprotein.example"),
        ],
        founded=2020,
        employees=34,
        total_raised_usd=23_000_000,
        last_round=("Series A", "2024-07-02", 17_000_000, "Future Food Fund"),
        investors=["Future Food Fund", "Flanders Biotech Angels"],
    ),
    _c(
        name="Lumen Loans",
        slug="lumen-loans",
        domain="lumenloans.example",
        pitch="Working-capital credit for small online sellers, underwritten on live sales data.",
        description=(
            "Lumen Loans connects to marketplace and payment accounts, underwrites in minutes on actual "
            "sales, and collects repayments as a share of daily payouts. Sellers borrow exactly when "
            "inventory needs funding and repay faster in good months."
        ),
        traction="$140M originated since launch; 30+ day delinquency under 2.1%.",
        sector="Fintech",
        stage="Series A",
        city="Lagos",
        country="Nigeria",
        founders=[
            ("Chiamaka", "Eze", "CEO", "chiamaka@lumenloans.example"),
            ("Tunde", "Balogun", "CTO", "tunde@lumenloans.example"),
        ],
        founded=2021,
        employees=58,
        total_raised_usd=19_500_000,
        last_round=("Series A", "2024-01-17", 15_000_000, "Savannah Capital"),
        investors=["Savannah Capital", "Sequent Seed"],
    ),
    _c(
        name="Orbitwell Space",
        slug="orbitwell-space",
        domain="orbitwell.example",
        pitch="In-orbit refuelling ports that let satellites live twice as long.",
        description=(
            "Orbitwell designs a standard refuelling port that satellite makers add before launch, and a "
            "servicing vehicle that docks and refuels them in orbit. Operators extend mission life instead "
            "of launching replacements."
        ),
        traction="Port design adopted by 2 satellite manufacturers; demonstration mission booked for 2026.",
        sector="Space",
        stage="Series A",
        city="Toulouse",
        country="France",
        founders=[
            ("Mathilde", "Garnier", "CEO", "mathilde@orbitwell.example"),
            ("Yannick", "Morel", "CTO", "yannick@orbitwell.example"),
        ],
        founded=2019,
        employees=47,
        total_raised_usd=29_000_000,
        last_round=("Series A", "2023-06-22", 20_000_000, "Stellar Frontier Capital"),
        investors=["Stellar Frontier Capital", "Alpine Deep Tech"],
    ),
    _c(
        name="Hiresprout",
        slug="hiresprout",
        domain="hiresprout.example",
        pitch="Skills-based hiring for hourly roles, with interviews scheduled by text message.",
        description=(
            "Hiresprout replaces CVs with short job-specific skill checks for warehouse, retail and "
            "hospitality roles, then books interviews by SMS around the candidate's shifts. Employers "
            "fill roles in four days on average instead of three weeks."
        ),
        traction="Used by 75 employers for 48,000 hires in 2024.",
        sector="HR tech",
        stage="Seed",
        city="Toronto",
        country="Canada",
        founders=[
            ("Aisha", "Rahman", "CEO", "aisha@hiresprout.example"),
            ("Connor", "MacLeod", "CTO", "connor@hiresprout.example"),
        ],
        founded=2022,
        employees=21,
        total_raised_usd=5_000_000,
        last_round=("Seed", "2024-03-28", 4_000_000, "Maple Leaf Seed"),
        investors=["Maple Leaf Seed", "Angel syndicate"],
    ),
    _c(
        name="Tidewater Bio",
        slug="tidewater-bio",
        domain="tidewaterbio.example",
        pitch="Marine-derived antimicrobial peptides against drug-resistant infections.",
        description=(
            "Tidewater Bio screens peptides from deep-sea organisms for activity against drug-resistant "
            "bacteria and optimises leads with a machine-learning model of toxicity. The lead candidate "
            "targets hospital-acquired Klebsiella infections."
        ),
        traction="Lead candidate in IND-enabling studies; a €2.5M non-dilutive grant in 2024.",
        sector="Biotech",
        stage="Seed",
        city="Bergen",
        country="Norway",
        founders=[
            ("Ingrid", "Solberg", "CEO", "ingrid@tidewaterbio.example"),
            ("Henrik", "Dahl", "CSO", "henrik@tidewaterbio.example"),
        ],
        founded=2021,
        employees=14,
        total_raised_usd=8_000_000,
        last_round=("Seed", "2023-10-19", 6_000_000, "Beacon Bio Angels"),
        investors=["Beacon Bio Angels", "Fjord Ventures"],
    ),
    _c(
        name="Roofwise",
        slug="roofwise",
        domain="roofwise.example",
        pitch="Solar-plus-battery proposals for installers, generated from a single address.",
        description=(
            "Roofwise builds a 3D model of a roof from aerial imagery, sizes panels and battery against the "
            "household's tariff, and produces a signed-ready proposal in under five minutes. Installers "
            "close more jobs without sending a surveyor first."
        ),
        traction="380 installers subscribed; 96,000 proposals generated in 2024.",
        sector="Climate tech",
        stage="Seed",
        city="Melbourne",
        country="Australia",
        founders=[
            ("Olivia", "Tran", "CEO", "olivia@roofwise.example"),
            ("Jack", "Harrington", "CTO", "jack@roofwise.example"),
        ],
        founded=2021,
        employees=26,
        total_raised_usd=6_500_000,
        last_round=("Seed", "2023-11-02", 5_000_000, "Southern Cross Ventures"),
        investors=["Southern Cross Ventures", "Northwind Climate Partners"],
    ),
    _c(
        name="Claimcraft",
        slug="claimcraft",
        domain="claimcraft.example",
        pitch="Automated first notice of loss for property insurers.",
        description=(
            "Claimcraft lets policyholders report damage through a guided chat with photos, classifies the "
            "claim, estimates severity and routes it to the right handler or pays small claims straight "
            "away. Insurers cut handling cost per claim by 40%."
        ),
        traction="Live with 6 insurers; 210,000 claims processed.",
        sector="Insurtech",
        stage="Series A",
        city="Munich",
        country="Germany",
        founders=[
            ("Felix", "Braun", "CEO", "felix@claimcraft.example"),
            ("Sophie", "Keller", "CPO", "sophie@claimcraft.example"),
        ],
        founded=2019,
        employees=55,
        total_raised_usd=24_000_000,
        last_round=("Series A", "2022-11-10", 16_000_000, "Isar Capital"),
        investors=["Isar Capital", "Lakeside Growth"],
    ),
    _c(
        name="Stackyard",
        slug="stackyard",
        domain="stackyard.example",
        pitch="Preview environments for every pull request, on the customer's own cloud.",
        description=(
            "Stackyard spins up a full copy of an application — services, databases seeded with "
            "anonymised data, and queues — for every pull request, inside the customer's Kubernetes "
            "cluster, and tears it down when the branch merges."
        ),
        traction="2,700 teams on the free tier, 140 paying; $3.0M ARR.",
        sector="Developer tools",
        stage="Series A",
        city="Berlin",
        country="Germany",
        founders=[
            ("Mehmet", "Yılmaz", "CEO", "mehmet@stackyard.example"),
            ("Clara", "Schmidt", "CTO", "clara@stackyard.example"),
        ],
        founded=2020,
        employees=36,
        total_raised_usd=17_000_000,
        last_round=("Series A", "2024-02-06", 13_000_000, "Queryside Ventures"),
        investors=["Queryside Ventures", "Fjord Ventures"],
    ),
    _c(
        name="Wattson Mobility",
        slug="wattson-mobility",
        domain="wattsonmobility.example",
        pitch="Battery-swapping stations for electric delivery scooters.",
        description=(
            "Wattson runs automated swap stations where couriers exchange a depleted scooter battery for a "
            "charged one in 30 seconds. Delivery platforms pay per kilometre, so couriers never wait for a "
            "charge and scooters stay on the road."
        ),
        traction="180 stations in Jakarta and Surabaya; 2.4M swaps in 2024.",
        sector="Mobility",
        stage="Series B",
        city="Jakarta",
        country="Indonesia",
        founders=[
            ("Budi", "Santoso", "CEO", "budi@wattsonmobility.example"),
            ("Sari", "Wijaya", "COO", "sari@wattsonmobility.example"),
        ],
        founded=2019,
        employees=140,
        total_raised_usd=58_000_000,
        last_round=("Series B", "2024-05-21", 40_000_000, "Savannah Capital"),
        investors=["Savannah Capital", "Nordic Mobility Fund", "Harbor Point Capital"],
    ),
    _c(
        name="Fernhollow Studios",
        slug="fernhollow-studios",
        domain="fernhollow.example",
        pitch="Cosy co-op games with user-generated levels, built for streaming.",
        description=(
            "Fernhollow makes small-team cooperative games with built-in level editors and creator revenue "
            "sharing. Its first title grew through streamers who build levels live with their audience."
        ),
        traction="First title sold 850,000 copies; 120,000 user-made levels published.",
        sector="Gaming",
        stage="Seed",
        city="Montreal",
        country="Canada",
        founders=[
            ("Émilie", "Gagnon", "CEO", "emilie@fernhollow.example"),
            ("Julien", "Tremblay", "Creative Director", "julien@fernhollow.example"),
        ],
        founded=2020,
        employees=18,
        total_raised_usd=3_200_000,
        last_round=("Seed", "2022-09-12", 2_500_000, "Maple Leaf Seed"),
        investors=["Maple Leaf Seed"],
    ),
    _c(
        name="Meridian Rentals",
        slug="meridian-rentals",
        domain="meridianrentals.example",
        pitch="Property management software for build-to-rent operators.",
        description=(
            "Meridian gives build-to-rent operators one system for leasing, rent collection, maintenance "
            "and resident apps across thousands of units, with portfolio analytics for asset managers."
        ),
        traction="46,000 units under management; $4.4M ARR.",
        sector="Proptech",
        stage="Series A",
        city="Dublin",
        country="Ireland",
        founders=[
            ("Ciara", "Byrne", "CEO", "ciara@meridianrentals.example"),
            ("Sean", "Kavanagh", "CTO", "sean@meridianrentals.example"),
        ],
        founded=2019,
        employees=49,
        total_raised_usd=20_000_000,
        last_round=("Series A", "2023-04-04", 15_000_000, "Canal Street Ventures"),
        investors=["Canal Street Ventures", "Enterprise Ireland"],
    ),
    _c(
        name="Sensa Retail",
        slug="sensa-retail",
        domain="sensaretail.example",
        pitch="Shelf cameras that spot out-of-stocks and misplaced prices in grocery stores.",
        description=(
            "Sensa mounts low-power cameras on shelf edges, detects gaps and wrong price labels, and sends "
            "store staff a task list. Grocers recover lost sales and pass price-accuracy audits."
        ),
        traction="Pilots in 140 stores with 3 grocers; 2.8% same-store sales uplift measured in the pilot.",
        sector="Retail tech",
        stage="Seed",
        city="Milan",
        country="Italy",
        founders=[
            ("Giulia", "Romano", "CEO", "giulia@sensaretail.example"),
            ("Marco", "Bianchi", "CTO", "marco@sensaretail.example"),
        ],
        founded=2022,
        employees=20,
        total_raised_usd=5_600_000,
        last_round=("Seed", "2024-04-23", 4_200_000, "Lombard Tech Fund"),
        investors=["Lombard Tech Fund", "Angel syndicate"],
    ),
    _c(
        name="Anchorpoint Compliance",
        slug="anchorpoint-compliance",
        domain="anchorpoint.example",
        pitch="Continuous anti-money-laundering monitoring for crypto exchanges.",
        description=(
            "Anchorpoint scores every deposit and withdrawal against on-chain exposure to sanctioned and "
            "high-risk addresses, files suspicious-activity reports in the regulator's format, and keeps "
            "an audit trail examiners can read."
        ),
        traction="19 licensed exchanges as customers; $2.6M ARR.",
        sector="Regtech",
        stage="Seed",
        city="Vilnius",
        country="Lithuania",
        founders=[
            ("Rūta", "Kazlauskienė", "CEO", "ruta@anchorpoint.example"),
            ("Tomas", "Petrauskas", "CTO", "tomas@anchorpoint.example"),
        ],
        founded=2021,
        employees=23,
        total_raised_usd=6_000_000,
        last_round=("Seed", "2023-06-07", 4_500_000, "Baltic Seed"),
        investors=["Baltic Seed", "Carmel Ventures"],
    ),
    _c(
        name="Greywater Systems",
        slug="greywater-systems",
        domain="greywater.example",
        pitch="Compact greywater recycling units for apartment buildings.",
        description=(
            "Greywater Systems recycles shower and washing-machine water inside the building for toilet "
            "flushing and irrigation, cutting a building's mains water use by up to 35%. Units fit in a "
            "standard basement plant room and are monitored remotely."
        ),
        traction="Installed in 64 buildings; required by two municipal building codes in 2025.",
        sector="Climate tech",
        stage="Series A",
        city="Cape Town",
        country="South Africa",
        founders=[
            ("Thandiwe", "Nkosi", "CEO", "thandi@greywater.example"),
            ("Pieter", "van der Merwe", "CTO", "pieter@greywater.example"),
        ],
        founded=2018,
        employees=45,
        total_raised_usd=11_000_000,
        last_round=("Series A", "2022-10-27", 8_000_000, "Savannah Capital"),
        investors=["Savannah Capital", "Southern Cross Ventures"],
    ),
    _c(
        name="Mosaic Care",
        slug="mosaic-care",
        domain="mosaiccare.example",
        pitch="Scheduling and visit notes for home-care agencies, built for carers' phones.",
        description=(
            "Mosaic Care plans carers' rounds around travel time and client preferences, records visit "
            "notes by voice, and keeps families updated. Agencies reduce missed visits and spend less time "
            "on rostering."
        ),
        traction="310 agencies, 22,000 carers using the app weekly.",
        sector="Healthtech",
        stage="Series A",
        city="Leeds",
        country="United Kingdom",
        founders=[
            ("Fatima", "Hussain", "CEO", "fatima@mosaiccare.example"),
            ("George", "Whitaker", "CTO", "george@mosaiccare.example"),
        ],
        founded=2019,
        employees=61,
        total_raised_usd=15_000_000,
        last_round=("Series A", "2023-03-15", 11_000_000, "Meridian Health Ventures"),
        investors=["Meridian Health Ventures", "Learning Curve Capital"],
    ),
    _c(
        name="Kiln & Copper",
        slug="kiln-and-copper",
        domain="kilnandcopper.example",
        pitch="Electric industrial kilns that store cheap night-time power as heat.",
        description=(
            "Kiln & Copper builds thermal batteries that charge from off-peak electricity and deliver "
            "high-temperature heat to ceramics and glass kilns all day, replacing natural gas without "
            "raising the plant's energy bill."
        ),
        traction="First commercial unit running at a tile factory in Castellón; 5 units contracted.",
        sector="Climate tech",
        stage="Pre-seed",
        city="Stoke-on-Trent",
        country="United Kingdom",
        founders=[
            ("Imogen", "Clarke", "CEO", "imogen@kilnandcopper.example"),
            ("Raj", "Patel", "CTO", "raj@kilnandcopper.example"),
        ],
        founded=2023,
        employees=9,
        total_raised_usd=1_800_000,
        last_round=("Pre-seed", "2024-08-01", 1_800_000, "Concrete Futures Fund"),
        investors=["Concrete Futures Fund"],
    ),
)

_BY_SLUG = {company.slug: company for company in COMPANIES}


def by_slug(slug: str) -> SampleCompany:
    return _BY_SLUG[slug]
