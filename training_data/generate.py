"""Build training_data/requests.jsonl: the hand-written core plus generated requests.

    python training_data/generate.py            # rewrites requests.jsonl
    python training_data/generate.py --n 1450 --seed 20240611

The generated part composes requests from wide slot lists (subjects, periods,
breakdowns, places, people) and many sentence frames per kind of ask, mixed
with greetings, context, closing notes, sign-offs and (for members of the
public mostly) informal spelling. Exemption labels follow from what each
question asks (named people, specific investigations, tactics, prices, free-
text searches ...) with probabilities, because the same kind of ask is
sometimes answered in full. Deterministic for a given seed; standard library only.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20240611
N_GENERATED = 1450

TOPICS = [
    "complaints_misconduct", "sexual_misconduct", "sexual_offences", "domestic_abuse_vawg",
    "violent_crime_weapons", "drugs", "hate_crime", "crime_statistics", "stop_search_force",
    "custody", "roads_vehicles", "workforce_hr", "finance_procurement_it",
    "technology_surveillance", "calls_operations", "safeguarding_vulnerability",
    "information_governance", "counter_terrorism_security", "fraud_cyber", "other",
]
# How often each topic is the primary subject of a generated request; rarer topics
# are lifted so that every label gets enough examples.
TOPIC_WEIGHTS = {
    "complaints_misconduct": 7, "sexual_misconduct": 4, "sexual_offences": 5,
    "domestic_abuse_vawg": 5, "violent_crime_weapons": 6, "drugs": 4, "hate_crime": 4,
    "crime_statistics": 6, "stop_search_force": 5, "custody": 5, "roads_vehicles": 7,
    "workforce_hr": 8, "finance_procurement_it": 9, "technology_surveillance": 8,
    "calls_operations": 7, "safeguarding_vulnerability": 6, "information_governance": 5,
    "counter_terrorism_security": 4, "fraud_cyber": 4, "other": 5,
}
NCND_SUBSECTIONS = {"s40(5)", "s30(3)", "s31(3)", "s23(5)", "s24(2)", "s38(2)", "s43(3)", "s42(2)", "s22(2)", "s44(2)"}

# --------------------------------------------------------------------------- places
FORCES = {
    "Avon and Somerset Police": ["Bristol", "Bath", "Weston-super-Mare", "Taunton", "Yeovil"],
    "Bedfordshire Police": ["Luton", "Bedford", "Dunstable"],
    "Cambridgeshire Constabulary": ["Cambridge", "Peterborough", "Huntingdon", "Wisbech"],
    "Cheshire Constabulary": ["Chester", "Warrington", "Crewe", "Macclesfield"],
    "Cleveland Police": ["Middlesbrough", "Hartlepool", "Stockton-on-Tees", "Redcar"],
    "Cumbria Constabulary": ["Carlisle", "Barrow-in-Furness", "Kendal", "Workington"],
    "Derbyshire Constabulary": ["Derby", "Chesterfield", "Buxton", "Ilkeston"],
    "Devon and Cornwall Police": ["Plymouth", "Exeter", "Torquay", "Truro", "Newquay", "Barnstaple"],
    "Dorset Police": ["Bournemouth", "Poole", "Weymouth", "Dorchester"],
    "Durham Constabulary": ["Durham", "Darlington", "Consett", "Peterlee"],
    "Dyfed-Powys Police": ["Carmarthen", "Aberystwyth", "Llanelli", "Haverfordwest", "Newtown"],
    "Essex Police": ["Chelmsford", "Colchester", "Southend", "Basildon", "Harlow"],
    "Gloucestershire Constabulary": ["Gloucester", "Cheltenham", "Stroud", "Tewkesbury"],
    "Greater Manchester Police": ["Manchester", "Salford", "Bolton", "Wigan", "Oldham", "Stockport", "Rochdale"],
    "Gwent Police": ["Newport", "Cwmbran", "Ebbw Vale", "Abergavenny"],
    "Hampshire and Isle of Wight Constabulary": ["Southampton", "Portsmouth", "Winchester", "Basingstoke", "Newport (IoW)"],
    "Hertfordshire Constabulary": ["St Albans", "Watford", "Stevenage", "Hemel Hempstead"],
    "Humberside Police": ["Hull", "Grimsby", "Scunthorpe", "Bridlington"],
    "Kent Police": ["Maidstone", "Canterbury", "Dover", "Margate", "Ashford", "Medway"],
    "Lancashire Constabulary": ["Preston", "Blackpool", "Blackburn", "Burnley", "Lancaster"],
    "Leicestershire Police": ["Leicester", "Loughborough", "Hinckley", "Melton Mowbray"],
    "Lincolnshire Police": ["Lincoln", "Boston", "Grantham", "Skegness", "Spalding"],
    "Merseyside Police": ["Liverpool", "Birkenhead", "St Helens", "Southport", "Bootle"],
    "the Metropolitan Police Service": ["Croydon", "Hackney", "Lambeth", "Newham", "Westminster", "Tower Hamlets", "Enfield", "Brent"],
    "Norfolk Constabulary": ["Norwich", "King's Lynn", "Great Yarmouth", "Thetford"],
    "North Wales Police": ["Wrexham", "Bangor", "Rhyl", "Llandudno"],
    "North Yorkshire Police": ["York", "Harrogate", "Scarborough", "Northallerton", "Selby"],
    "Northamptonshire Police": ["Northampton", "Kettering", "Corby", "Wellingborough"],
    "Northumbria Police": ["Newcastle", "Sunderland", "Gateshead", "North Shields", "Hexham"],
    "Nottinghamshire Police": ["Nottingham", "Mansfield", "Newark", "Worksop"],
    "South Wales Police": ["Cardiff", "Swansea", "Bridgend", "Merthyr Tydfil", "Neath"],
    "South Yorkshire Police": ["Sheffield", "Doncaster", "Rotherham", "Barnsley"],
    "Staffordshire Police": ["Stoke-on-Trent", "Stafford", "Burton upon Trent", "Tamworth"],
    "Suffolk Constabulary": ["Ipswich", "Bury St Edmunds", "Lowestoft", "Felixstowe"],
    "Surrey Police": ["Guildford", "Woking", "Epsom", "Staines"],
    "Sussex Police": ["Brighton", "Crawley", "Eastbourne", "Hastings", "Worthing"],
    "Thames Valley Police": ["Oxford", "Reading", "Slough", "Milton Keynes", "High Wycombe", "Banbury"],
    "Warwickshire Police": ["Warwick", "Nuneaton", "Rugby", "Stratford-upon-Avon", "Leamington Spa"],
    "West Mercia Police": ["Worcester", "Shrewsbury", "Hereford", "Telford", "Kidderminster"],
    "West Midlands Police": ["Birmingham", "Coventry", "Wolverhampton", "Walsall", "Dudley", "Sandwell"],
    "West Yorkshire Police": ["Leeds", "Bradford", "Wakefield", "Huddersfield", "Halifax"],
    "Wiltshire Police": ["Swindon", "Salisbury", "Chippenham", "Trowbridge"],
    "Police Scotland": ["Glasgow", "Edinburgh", "Aberdeen", "Dundee", "Inverness", "Paisley"],
    "the Police Service of Northern Ireland": ["Belfast", "Derry/Londonderry", "Newry", "Lisburn", "Omagh"],
    "British Transport Police": ["London", "Manchester", "Birmingham", "Leeds", "Crewe"],
}
FORCE_SHORT = {
    "the Metropolitan Police Service": "the Met", "Greater Manchester Police": "GMP",
    "West Midlands Police": "WMP", "the Police Service of Northern Ireland": "PSNI",
    "Thames Valley Police": "TVP", "West Yorkshire Police": "WYP", "South Yorkshire Police": "SYP",
    "British Transport Police": "BTP", "Avon and Somerset Police": "A&S",
}
STREETS = ["High Street", "Station Road", "Church Lane", "Victoria Road", "Park Avenue", "Mill Lane",
           "London Road", "Queen Street", "the Market Place", "Westgate", "King Street", "Bridge Street",
           "Albert Road", "Manor Way", "the retail park", "Chapel Street", "Green Lane", "Canal Street",
           "York Road", "the bus station", "Castle Street", "North Parade", "Harbour Road", "Elm Grove"]
PLACE_TYPES = ["a Tesco car park", "the railway station", "a nightclub", "a school playing field",
               "a block of flats", "the town centre", "a park", "a service station on the motorway",
               "a takeaway", "the hospital", "a pub", "a caravan park", "the university campus"]
FIRST_M = ["James", "Mohammed", "David", "Liam", "Tom", "Gareth", "Kwame", "Daniel", "Connor", "Stuart", "Oliver",
           "Imran", "Patrick", "Ian", "Marcus", "Rhys", "Callum", "Craig", "Yusuf", "Dev"]
FIRST_F = ["Sarah", "Emma", "Priya", "Chloe", "Aisha", "Fiona", "Rebecca", "Nadia", "Helen", "Grace", "Megan", "Zara",
           "Sian", "Holly", "Agnieszka", "Bethan", "Ellie", "Lorna"]
FIRST = ["James", "Sarah", "Mohammed", "Emma", "David", "Priya", "Liam", "Chloe", "Tom", "Aisha",
         "Gareth", "Fiona", "Kwame", "Jo", "Daniel", "Rebecca", "Connor", "Nadia", "Stuart", "Helen",
         "Oliver", "Grace", "Imran", "Megan", "Patrick", "Zara", "Ian", "Sian", "Marcus", "Holly",
         "Rhys", "Agnieszka", "Callum", "Bethan", "Sam", "Yusuf", "Ellie", "Craig", "Lorna", "Dev"]
SURNAMES = ["Taylor", "Patel", "Hughes", "O'Brien", "Williams", "Khan", "Morgan", "Clarke", "Evans",
            "Robertson", "Shah", "Murphy", "Bennett", "Walsh", "Okoye", "Fraser", "Jenkins", "Ahmed",
            "Lloyd", "Campbell", "Price", "Nowak", "Hussain", "Doyle", "Harrison", "MacLeod", "Ward",
            "Begum", "Thornton", "Pearce", "Mensah", "Kaur", "Fletcher", "Quinn", "Reid", "Sutton"]
OP_NAMES = ["Sceptre", "Venice", "Encompass", "Kingfisher", "Tarlton", "Harrier", "Granite", "Lantern",
            "Orchid", "Bluebell", "Falcon", "Tiller", "Nightjar", "Willow", "Holbeck", "Marlin", "Saxon",
            "Cobalt", "Juniper", "Sentinel", "Mallard", "Dovetail", "Ember", "Thistle", "Kestrel",
            "Peregrine", "Ironbridge", "Quartz", "Meridian", "Wolverine", "Larkspur", "Brook"]
OUTLETS = ["the Guardian", "the BBC", "a local newspaper", "the Times", "the Mirror", "ITV News",
           "an independent news website", "the Bureau of Investigative Journalism", "a regional daily",
           "Sky News", "the i", "a community radio station", "Channel 4 News", "the Independent",
           "a trade magazine", "a hyperlocal news site"]
UNIS = ["the University of Manchester", "Cardiff University", "the University of Leeds", "UCL",
        "the University of Glasgow", "Nottingham Trent University", "the University of Kent",
        "Liverpool John Moores University", "the University of Birmingham", "Queen's University Belfast",
        "the Open University", "the University of Portsmouth", "Sheffield Hallam University",
        "Birmingham City University", "the University of Leicester"]
CHARITIES = ["a domestic abuse charity", "a civil liberties group", "a road safety charity",
             "a youth charity", "a mental health charity", "a victims' support organisation",
             "a drug policy charity", "a race equality organisation", "an LGBT+ charity",
             "a campaign for police accountability", "a residents' association", "a cycling campaign",
             "a children's rights charity", "a disability rights group", "a women's network",
             "a privacy campaign group", "an animal welfare charity", "a community safety group"]
FIRMS = ["a law firm", "a software company", "a market research company", "a consultancy",
         "an IT reseller", "a security company", "a fleet management company",
         "a data analytics firm", "an insurer", "a recruitment company", "a telecoms provider"]

# --------------------------------------------------------------------------- count subjects
# "noun phrase|participle|tags|extra topics". Tags: stock (a snapshot, asked "as at"),
# pub (routinely published), manual (needs reading records: cost-limit risk),
# small (counts small enough to identify people), tactic (capability or deployment detail).
COUNTS = {
    "complaints_misconduct": """
public complaints|recorded by Professional Standards|pub|
complaint allegations of discriminatory behaviour|recorded||
complaints about officers' use of force|received||stop_search_force
complaints about the way 101 calls were handled|received||calls_operations
officers|dismissed following a gross misconduct hearing|small|
misconduct hearings|held||
misconduct meetings|held||
officers|suspended from duty||
officers|placed on restricted duties pending an investigation||
referrals to the IOPC|made||
complaint reviews (appeals)|upheld||
final written warnings|issued||
officers and staff|found to have breached the Standards of Professional Behaviour||
reflective practice reviews|completed||
complaints about PCSOs|recorded||
complaints about officers' driving|received||roads_vehicles
officers|convicted of a criminal offence while serving|small|
officers|allowed to resign or retire while under investigation|small|
staff|added to the College of Policing barred list||
allegations of corruption|investigated by the anti-corruption unit||
complaints alleging racism|recorded||hate_crime
complaints from detained persons about their treatment in custody|received||custody
complaints about the handling of domestic abuse reports|received||domestic_abuse_vawg
officers|investigated for misuse of police computer systems|small|information_governance
allegations of dishonesty against officers|recorded||
complaints|resolved outside Schedule 3 (informally)||
conduct matters|recorded where no complaint had been made||
officers|given management action after a complaint||
accelerated misconduct hearings|held|small|
complaints about special constables|recorded||workforce_hr
""",
    "sexual_misconduct": """
allegations of sexual misconduct against officers and staff|recorded||complaints_misconduct
officers|investigated for abuse of position for a sexual purpose||complaints_misconduct
officers and staff|dismissed for sexual misconduct|small|complaints_misconduct
reports of sexual harassment between colleagues|made||workforce_hr
officers|arrested on suspicion of a sexual offence|small|
abuse of position for a sexual purpose referrals|sent to the IOPC||
allegations of officers contacting victims for a sexual purpose|recorded||
allegations of sexual harassment by supervisors|recorded||workforce_hr
officers under investigation for sexual misconduct|kept on frontline duties||
complaints from members of the public of sexual misconduct by officers|received||complaints_misconduct
police staff|disciplined for sending sexual messages to colleagues|small|
allegations of sexual assault by one officer on another|recorded|small|
student officers|reporting sexual harassment during training||workforce_hr
officers|subject to gross misconduct proceedings for sexual misconduct||complaints_misconduct
""",
    "sexual_offences": """
rapes of adults|recorded|pub|
rapes of children under 16|recorded||safeguarding_vulnerability
sexual assaults on public transport|reported||
offences of possessing indecent images of children|recorded||
offences of distributing indecent images|recorded||technology_surveillance
crimes flagged as child sexual exploitation|recorded||safeguarding_vulnerability
breaches of Sexual Harm Prevention Orders|recorded||
upskirting (voyeurism) offences|recorded||
non-recent child sexual abuse allegations|reported||
rape investigations|closed because the victim withdrew support||
rape reports|resulting in a charge||
applications under the Child Sex Offender Disclosure Scheme (Sarah's Law)|received||safeguarding_vulnerability
indecent exposure offences|reported||
sexual offences where the victim and suspect met on a dating app|recorded|manual|
referrals to the Sexual Assault Referral Centre|made||
sexual offences in schools|recorded||safeguarding_vulnerability
devices|seized in indecent images investigations||technology_surveillance
registered sex offenders living in the force area||stock|
registered sex offenders who have gone missing||stock,small|
sexual offences against people aged over 65|recorded||
allegations of sexual assault at music festivals|recorded||
cases of online child grooming (sexual communication with a child)|recorded||
""",
    "domestic_abuse_vawg": """
domestic abuse incidents|recorded|pub|
domestic abuse related crimes|recorded|pub|
Domestic Violence Protection Notices|issued||
Domestic Violence Protection Orders|granted by the courts||
breaches of Domestic Violence Protection Orders|recorded||
'right to ask' applications under Clare's Law|received||
'right to know' disclosures under Clare's Law|made||
stalking offences|recorded||
Stalking Protection Orders|applied for||
offences of controlling or coercive behaviour|recorded||
honour-based abuse incidents|recorded||safeguarding_vulnerability
female genital mutilation offences|recorded||safeguarding_vulnerability
Forced Marriage Protection Orders|applied for||
non-fatal strangulation offences|recorded||violent_crime_weapons
MARAC referrals|made by the force||
repeat victims of domestic abuse|identified||
harassment offences|recorded||
domestic homicides|recorded|small|violent_crime_weapons
reports of threats to share intimate images|received||sexual_offences
domestic abuse arrests|made||custody
domestic abuse cases|closed because the victim did not support a prosecution||
reports of spiking involving women in bars and clubs|received||drugs
""",
    "violent_crime_weapons": """
knife crime offences|recorded|pub|
knife-enabled robberies|recorded||
homicides|recorded|pub|
attempted murders|recorded||
offences of grievous bodily harm|recorded||
assaults with injury|recorded||
offences involving the discharge of a firearm|recorded||
firearm certificates currently on issue||stock|
shotgun certificates currently on issue||stock|
firearm and shotgun certificates|revoked||
applications for firearm certificates|refused||
acid or corrosive substance attacks|recorded||
personal robberies|recorded||crime_statistics
moped-enabled robberies|recorded||roads_vehicles
county lines|closed down||drugs
people|charged with possession of an offensive weapon||
knives|surrendered in amnesty bins||
assaults on retail workers|recorded||
dog attacks on people|reported||
air weapon offences|recorded||
serious violence offences involving under-25s|recorded||
zombie knives and machetes|seized||
firearms|surrendered during the national firearms surrender||
stabbings in schools or on school grounds|recorded|small|safeguarding_vulnerability
""",
    "drugs": """
arrests for possession of cannabis|made||custody
cannabis warnings|issued||
cannabis factories|found||
cannabis plants|seized||
people|charged with supplying Class A drugs||
drugs warrants|executed||
drug seizures|recorded||
arrests for possession of nitrous oxide|made||
people|drug tested on arrest||custody
positive tests for cocaine or opiates on arrest|recorded||custody
referrals to a drugs diversion scheme|made||
community resolutions for drug possession|given||
drug-related deaths|attended by officers||
people|charged with drug trafficking offences||
seizures of ketamine|made||
reports of drug dealing|received from the public||calls_operations
doses of naloxone|administered by officers||safeguarding_vulnerability
drug offences involving under-18s|recorded||safeguarding_vulnerability
""",
    "hate_crime": """
hate crimes|recorded|pub|
racially or religiously aggravated offences|recorded||
antisemitic hate crimes|recorded||
anti-Muslim hate crimes|recorded||
homophobic hate crimes|recorded||
transphobic hate crimes|recorded||
disability hate crimes|recorded||
hate incidents (non-crime)|recorded||
non-crime hate incidents|recorded against named individuals||information_governance
online hate crimes|reported||fraud_cyber
hate crimes against police officers and staff|recorded||workforce_hr
hate crimes at football matches|recorded||calls_operations
hate crimes|resulting in a charge||
hate crimes against people of East Asian heritage|recorded||
hate crimes in schools|recorded||safeguarding_vulnerability
misogyny-motivated incidents|recorded||domestic_abuse_vawg
reports|received through third-party hate crime reporting centres||
""",
    "crime_statistics": """
residential burglaries|recorded|pub|
business burglaries|recorded||
shoplifting offences|recorded|pub|
bicycle thefts|reported||
criminal damage offences|recorded||
arson offences|recorded||
anti-social behaviour incidents|reported|pub|
thefts from the person|recorded||
thefts of livestock|reported||
thefts of agricultural machinery|reported||roads_vehicles
metal thefts|recorded||
thefts of parcels from doorsteps|reported||
crimes|closed with no suspect identified||
crimes|screened out without investigation||
burglaries|attended by an officer||calls_operations
crimes|committed at hospitals||
crimes|committed on university campuses||
fuel drive-offs|reported||roads_vehicles
offences against taxi drivers|recorded|manual|
crimes|recorded as solved||
public order offences|recorded||
crimes against churches and places of worship|recorded||
thefts of garden tools and sheds|reported|manual|
crimes committed by children aged 10 to 17|recorded||
graffiti offences|recorded||
thefts of dogs|reported||
thefts from charity shops|recorded|manual|
crimes|recorded in the town centre||
""",
    "stop_search_force": """
stop and searches under section 1 PACE|carried out||
stop and searches under section 23 of the Misuse of Drugs Act|carried out||drugs
stop and searches under section 60|carried out||
section 60 authorisations|made||
stop and searches|resulting in an arrest||
stop and searches of children|carried out||safeguarding_vulnerability
strip searches after a stop and search|carried out||
uses of Taser|recorded||
Taser discharges|recorded||
uses of Taser on children|recorded||safeguarding_vulnerability
uses of PAVA spray|recorded||
uses of batons|recorded||
uses of spit and bite guards|recorded||
uses of leg restraints|recorded||
police firearms discharges|recorded|small|
use of force reports|submitted||
injuries to members of the public caused by police use of force|recorded||
police dog bites|recorded||calls_operations
times officers drew a Taser without firing it|recorded||
uses of force on people in mental health crisis|recorded||safeguarding_vulnerability
stop and searches|recorded on body worn video||technology_surveillance
officers|trained to carry Taser|stock|workforce_hr
""",
    "custody": """
people|detained in police custody|pub|
detainees|held for more than 24 hours||
children|held overnight in custody||safeguarding_vulnerability
transfers to local authority accommodation under PACE s38(6)|requested||safeguarding_vulnerability
strip searches|carried out in custody||
strip searches of children|carried out in custody||safeguarding_vulnerability
deaths in custody|recorded|small|
incidents of self-harm in custody|recorded||safeguarding_vulnerability
near misses in custody|recorded||
detentions under section 136 of the Mental Health Act|made||safeguarding_vulnerability
voluntary attendance interviews|carried out||
people|released under investigation||
people|released on pre-charge bail||
detainees|requesting a solicitor||
appropriate adults|called to custody||safeguarding_vulnerability
foreign nationals|detained on behalf of Immigration Enforcement||
detainees|seen by a healthcare professional||
arrests|made|pub|
arrests of children under 18|made||safeguarding_vulnerability
cells|out of use||
complaints from detainees|received||complaints_misconduct
detainees|held in a neighbouring force's custody suite because no cell was available||
""",
    "roads_vehicles": """
speeding offences|detected by fixed speed cameras||
speeding offences|detected by mobile safety camera vans||
Fixed Penalty Notices for using a mobile phone while driving|issued||
Fixed Penalty Notices for not wearing a seatbelt|issued||
drink-driving arrests|made||custody
roadside breath tests|carried out||
positive roadside drug tests|recorded||drugs
road traffic collisions resulting in death or serious injury|recorded|pub|
collisions involving cyclists|recorded||
collisions involving pedestrians|recorded||
speed awareness course offers|made||
collisions involving police vehicles|recorded||
police pursuits|authorised||
vehicles|seized for having no insurance||
vehicles|seized under section 59 of the Police Reform Act||
thefts of motor vehicles|reported||crime_statistics
catalytic converter thefts|reported||crime_statistics
e-scooters|seized||
motorcycle thefts|reported||crime_statistics
dashcam and helmet camera submissions|received||technology_surveillance
notices of intended prosecution|cancelled||
drivers|caught driving while disqualified||
HGV drivers|stopped in roadside checks||
red light camera offences|detected||
collisions involving learner drivers|recorded|manual|
marked police cars|written off after a crash||finance_procurement_it
""",
    "workforce_hr": """
police officers (headcount)||stock,pub|
police officers (full-time equivalent)||stock|
PCSOs||stock|
special constables||stock|
police staff||stock|
officers from Black, Asian and minority ethnic backgrounds||stock|
female officers at the rank of inspector or above||stock|
new officers|recruited|pub|
officers|who resigned||
officers|who retired||
working days|lost to sickness||
working days|lost to stress, anxiety and depression||
officers|assaulted on duty||
officers|on restricted or recuperative duties||
officer vacancies||stock|
detectives||stock|
officers|with an approved business interest or second job||
grievances|lodged by officers and staff||
employment tribunal claims|brought against the force||
flexible working requests|received||
reasonable adjustment requests|made||
student officers|who left before completing their probation||
promotions to sergeant|made||
officers|off work with long-term sickness||
neighbourhood officers||stock|
police staff investigators||stock|
officers|who transferred to another force||
hours of overtime|worked by officers||finance_procurement_it
officers|on maternity or paternity leave||
officers|who failed the fitness test||
""",
    "finance_procurement_it": """
contracts over £25,000|awarded||
contracts|awarded without competition (single tender waivers)||
police stations|closed or sold||
invoices|paid late||
purchasing card transactions|made||
claims for compensation|paid||complaints_misconduct
police vehicles in the fleet||stock|roads_vehicles
electric vehicles in the fleet||stock|roads_vehicles
laptops and mobile devices|issued to officers||technology_surveillance
software licences|held||technology_surveillance
buildings|owned or leased by the force|stock|
properties|sold||
""",
    "technology_surveillance": """
ANPR cameras operated by the force||stock,tactic|
ANPR reads|recorded||
ANPR hits|generating a stop||
live facial recognition deployments|carried out||
faces|scanned by live facial recognition||
false alerts|generated by live facial recognition||
retrospective facial recognition searches|run||
drone deployments|made||calls_operations
qualified drone pilots||stock|workforce_hr
body worn video cameras issued to officers||stock|
hours of body worn video footage|recorded||
public space CCTV cameras|monitored by the force||
directed surveillance authorisations|granted under RIPA||
CHIS authorisations|granted||
juvenile CHIS|authorised|small|safeguarding_vulnerability
communications data applications|made||
digital devices|waiting for forensic examination|stock|
mobile phones|examined by the digital forensics unit||
DNA profiles|deleted under the Protection of Freedoms Act||custody
social media accounts|monitored by the open source intelligence team|tactic|
requests for doorbell camera footage|made to members of the public||
""",
    "calls_operations": """
999 calls|received|pub|
999 calls|answered within 10 seconds||
101 calls|received|pub|
101 calls|abandoned before being answered||
calls|made to the force about fireworks||
emergency incidents|attended within the target time||
incidents|not attended by an officer||
protests|policed by the force||
officers|deployed to football matches||
mutual aid requests|received||
police dogs|owned by the force|stock|
police horses|owned by the force|stock|
NPAS helicopter deployments|made in the force area||technology_surveillance
concern-for-welfare calls|received||safeguarding_vulnerability
hoax 999 calls|received||
silent 999 calls|received||
online crime reports|submitted||
officer hours|spent guarding hospital patients||
calls|received about noise from parties||
calls|relating to Covid-19 rule breaches||
incidents|at licensed premises||
calls about illegal encampments|received||
marine unit deployments|made||
""",
    "safeguarding_vulnerability": """
missing person reports|received||
missing children|reported||
looked-after children|reported missing||
children|reported missing from care homes||
adults with dementia|reported missing||
National Referral Mechanism referrals|made by the force||
modern slavery crimes|recorded||
children|identified as victims of criminal exploitation||drugs
Child Abduction Warning Notices|issued||
uses of police protection powers under s46 Children Act 1989|recorded||
mental health related incidents|attended||calls_operations
referrals to the Multi-Agency Safeguarding Hub|made||
Operation Encompass notifications|sent to schools||domestic_abuse_vawg
suicide attempts|attended by officers||
children|reported missing from school||
vulnerable adult referrals|made to adult social care||
people|with a learning disability arrested|manual|custody
return home interviews|received from the local authority||
children|reported missing more than five times||
""",
    "information_governance": """
FOI requests|received|pub|
FOI requests|answered within 20 working days||
FOI requests|refused under section 12 (cost)||
FOI requests|refused as vexatious under section 14||
internal reviews|requested||
complaints|made to the ICO about the force's FOI handling||
subject access requests|received||
subject access requests|completed within one month||
data breaches|reported to the ICO||
data breaches|recorded internally||
officers and staff|disciplined for data protection breaches|small|complaints_misconduct
requests for CCTV footage under subject access|received||technology_surveillance
requests under Schedule 2 of the Data Protection Act from other bodies|received||
records deletion requests|received||
records|destroyed under the retention schedule|manual|
DBS enhanced certificates|issued with police information disclosed||
""",
    "counter_terrorism_security": """
Prevent referrals|made||
Prevent referrals of children under 18|made||safeguarding_vulnerability
Prevent referrals about extreme right-wing ideology|made||
Prevent referrals|adopted as Channel cases||
Schedule 7 examinations|carried out||
Schedule 7 detentions|made||custody
terrorism-related arrests|made|pub|
arrests under section 13 of the Terrorism Act|made||
Counter Terrorism Security Adviser visits|carried out||
Project Servator deployments|carried out|tactic|calls_operations
officers|trained to deliver Prevent awareness sessions||workforce_hr
Prevent referrals from schools|received||safeguarding_vulnerability
protective security assessments of crowded places|carried out||
""",
    "fraud_cyber": """
fraud reports|passed to the force by Action Fraud||
fraud investigations|resulting in a judicial outcome||
romance fraud reports|received||
courier fraud offences|reported||
investment fraud reports|received||
cryptocurrency fraud reports|received||
cyber-dependent crimes|reported||
ransomware attacks on local businesses|reported||
confiscation orders|obtained under the Proceeds of Crime Act||
cash seizures|made under POCA||
account freezing orders|obtained||
money laundering charges|brought||
Banking Protocol calls|received||safeguarding_vulnerability
phishing reports|received||
invoice redirection frauds|reported||
sextortion reports|received||sexual_offences
victims of fraud aged over 75|identified||safeguarding_vulnerability
""",
    # offences here (wildlife crimes, dangerous dogs seized) are recorded crime: the contract puts them in
    # crime_statistics ("recorded crime ... not covered by a more specific label"), so they carry that topic
    # (a request is never both `other` and another label); they stay in this table so the draws do not shift
    "other": """
items of lost property|handed in||
noise complaints about police helicopters|received||
requests for police attendance at weddings and school visits|received||
stray dogs|collected by officers||
swan and wildlife incidents|reported||
police station front counter visits|recorded||
litter and dog fouling fixed penalties|issued by PCSOs||
illegal fishing and poaching reports|received||
badges and medals|awarded to officers at ceremonies||
animals|destroyed by officers after road collisions||
wildlife crimes|recorded||crime_statistics
requests to assist bailiffs|received||
police chaplains||stock|
dangerous dogs|seized||crime_statistics
filming requests from TV production companies|received||
items|sold at police auctions||
community speed watch groups|operating||
Neighbourhood Watch schemes|registered||
Community Protection Notices|issued||
Public Spaces Protection Order fines|issued||
""",
}

# Follow-up questions asked after a count ("Of these, ...").
FOLLOWUPS = {
    "complaints_misconduct": ["How many of these were upheld?", "How many resulted in a finding of gross misconduct?",
        "Of these, how many officers were dismissed?", "How many were referred to the IOPC?",
        "What was the average time taken to finalise them?", "How many of the officers concerned are still serving?",
        "How many led to no further action?"],
    "sexual_misconduct": ["How many of those officers are still employed by the force?",
        "How many were suspended while the allegation was investigated?", "How many of the complainants were colleagues rather than members of the public?",
        "How many cases ended in dismissal?", "How many were referred to the IOPC?"],
    "sexual_offences": ["How many resulted in a charge or summons?", "How many were closed because the victim did not support further action?",
        "What was the average time from report to charge?", "How many of the victims were under 18?",
        "How many suspects were arrested?"],
    "domestic_abuse_vawg": ["How many resulted in an arrest?", "How many led to a charge?",
        "How many of the victims were repeat victims?", "How many were breached?",
        "What was the average time taken to make a decision?", "How many involved a victim aged 65 or over?"],
    "violent_crime_weapons": ["How many suspects were under 18?", "How many resulted in a charge?",
        "How many involved a knife or bladed article?", "How many of the victims were under 25?",
        "How many people were convicted?"],
    "drugs": ["How many of these led to a charge?", "How many people were given a caution or community resolution instead?",
        "What was the estimated street value?", "How many involved people under 18?"],
    "hate_crime": ["How many resulted in a charge?", "How many were also recorded as violent offences?",
        "How many of the suspects were under 18?", "How many took place online?"],
    "crime_statistics": ["How many resulted in someone being charged?", "How many were closed with no suspect identified?",
        "How many were attended in person by an officer?", "What percentage were solved?",
        "How many involved repeat victims?"],
    "stop_search_force": ["How many of these resulted in an arrest?", "How many people searched were under 18?",
        "How many led to a complaint?", "How many people were injured?", "How many were of people from ethnic minority backgrounds?"],
    "custody": ["How many of those detained were under 18?", "What was the average length of detention?",
        "How many were later charged?", "How many were held for more than 36 hours?"],
    "roads_vehicles": ["How many resulted in a prosecution?", "How many drivers were offered a course instead?",
        "How many were later cancelled?", "How many people were killed or seriously injured?",
        "How many of the drivers were under 25?"],
    "workforce_hr": ["How many of these were female?", "How many were from an ethnic minority background?",
        "What is the equivalent figure for police staff?", "How does that compare with 2010?",
        "How many were at the rank of sergeant or above?"],
    "finance_procurement_it": ["What was the total value?", "Which suppliers were used?", "How much of this was capital spending?"],
    "technology_surveillance": ["How many led to an arrest?", "How many were false positives?",
        "How long is the data kept?", "How many of these related to missing persons?"],
    "calls_operations": ["What was the average answer time?", "How many were graded as emergencies?",
        "How many were not attended at all?", "How many officers were involved?"],
    "safeguarding_vulnerability": ["How many of these were children in care?", "How many were found within 24 hours?",
        "How many were repeat cases?", "How many were referred to children's social care?"],
    "information_governance": ["How many were answered late?", "How many were refused in full?",
        "How many were reported to the ICO?", "What is the current backlog?"],
    "counter_terrorism_security": ["How many were under 18?", "How many were referred on to Channel?",
        "How many resulted in a charge?"],
    "fraud_cyber": ["How much money was lost in total?", "How many were investigated?",
        "How many victims got their money back?", "How many resulted in a charge?"],
    "other": ["What happened to them afterwards?", "How many were in the last year alone?"],
}

# Documents and policies: "a copy of the force's {doc}".
DOCS = {
    "complaints_misconduct": ["vetting policy", "policy on notifiable associations", "guidance on declaring business interests",
        "misconduct sanctions guidance used by panel chairs", "Professional Standards Department structure chart",
        "policy on officers' use of social media", "anti-corruption strategy"],
    "sexual_misconduct": ["policy on sexual harassment in the workplace", "guidance on professional boundaries with victims",
        "action plan on abuse of position for a sexual purpose", "policy on relationships at work"],
    "sexual_offences": ["rape investigation strategy", "policy on the management of registered sex offenders",
        "protocol with the CPS on rape cases (Operation Soteria)", "guidance on responding to spiking reports"],
    "domestic_abuse_vawg": ["domestic abuse policy", "Clare's Law procedure", "VAWG strategy and delivery plan",
        "DASH risk assessment guidance", "stalking policy", "policy on domestic abuse by police employees"],
    "violent_crime_weapons": ["firearms licensing guidance for applicants", "serious violence strategy",
        "knife crime action plan", "policy on the use of violence reduction orders"],
    "drugs": ["drugs strategy", "policy on cannabis possession", "drug testing on arrest procedure",
        "guidance on the drugs diversion scheme"],
    "hate_crime": ["hate crime policy", "guidance on recording non-crime hate incidents", "hate crime action plan"],
    "crime_statistics": ["crime allocation policy", "burglary attendance policy", "crime screening policy",
        "anti-social behaviour strategy"],
    "stop_search_force": ["stop and search policy", "policy on the use of Taser", "guidance on the use of spit and bite guards",
        "section 60 authorisation procedure", "policy on strip searches"],
    "custody": ["custody policy", "strip search policy for custody", "policy on the detention of children overnight",
        "custody healthcare specification", "policy on the use of restraints in custody"],
    "roads_vehicles": ["speed enforcement policy", "police pursuit policy", "camera enforcement thresholds guidance",
        "fleet strategy", "policy on the use of unmarked cars"],
    "workforce_hr": ["sickness absence policy", "overtime policy", "appearance and tattoo policy", "flexible working policy",
        "menopause policy", "recruitment positive action plan", "grievance procedure"],
    "finance_procurement_it": ["procurement strategy", "contracts register", "estates strategy", "medium-term financial plan",
        "gifts and hospitality register", "IT strategy", "expenses policy for chief officers"],
    "technology_surveillance": ["live facial recognition policy", "drone operating procedures", "ANPR data retention policy",
        "body worn video policy", "data protection impact assessment for facial recognition",
        "surveillance camera code compliance self-assessment", "policy on the use of open source intelligence"],
    "calls_operations": ["call grading policy", "attendance policy for emergency and priority calls",
        "public order policing plan", "policy on attending mental health calls", "policy on the use of police dogs"],
    "safeguarding_vulnerability": ["missing persons policy", "modern slavery policy", "policy on children in custody",
        "Right Care, Right Person implementation plan", "child exploitation strategy", "vulnerability strategy"],
    "information_governance": ["records retention schedule", "FOI procedure", "data protection policy",
        "policy on the use of WhatsApp for police business", "information security policy",
        "policy on the use of generative AI tools", "email retention policy", "publication scheme"],
    "counter_terrorism_security": ["Prevent delivery plan", "guidance on Prevent referrals", "policy on protest and proscribed organisations"],
    "fraud_cyber": ["fraud strategy", "economic crime victim care policy", "cyber crime strategy",
        "policy on asset recovery and ARIS spending"],
    "other": ["lost property policy", "policy on officers attending Pride events in uniform", "wildlife crime policy",
        "policy on dealing with stray dogs", "chaplaincy policy", "sponsorship policy"],
}

# Practice and capability questions, each with exemption chances (section, probability).
YESNO = {
    "complaints_misconduct": [
        ("Does the force publish the outcomes of misconduct hearings on its website?", []),
        ("Are officers who are under investigation for gross misconduct allowed to work on the frontline?", []),
        ("Does the force re-vet officers after a complaint of a sexual nature?", []),
        ("How long does it take on average to finalise a complaint?", []),
        ("Does PSD record the ethnicity of complainants?", []),
        ("What checks does the force carry out against the PNC and PND when vetting new recruits?", [("s31(1)", 0.5)]),
    ],
    "sexual_misconduct": [
        ("Does the force have an anonymous reporting line for sexual harassment?", []),
        ("Has the force checked all serving officers against the PND since the Couzens case?", []),
        ("Are officers who are under investigation for sexual misconduct allowed contact with vulnerable victims?", []),
        ("Has the force appointed a lead officer for tackling sexual misconduct by its own staff?", []),
    ],
    "sexual_offences": [
        ("Does the force have a dedicated RASSO unit, and how many detectives work in it?", []),
        ("Does the force test drinks for spiking and which laboratory is used?", [("s43(2)", 0.15)]),
        ("Is the force part of Operation Soteria?", []),
        ("Does the force proactively monitor registered sex offenders' online activity, and how?", [("s31(1)", 0.7)]),
        ("What is the current wait for an ABE (achieving best evidence) interview?", []),
    ],
    "domestic_abuse_vawg": [
        ("Does the force use DASH or DARA?", []),
        ("Are domestic abuse victims given panic alarms or TecSOS phones?", []),
        ("Does the force have a specialist stalking unit?", []),
        ("Do officers receive Domestic Abuse Matters training?", []),
        ("Does the force run a perpetrator programme, and who delivers it?", []),
    ],
    "violent_crime_weapons": [
        ("How long does it currently take to process a firearm certificate renewal?", []),
        ("Does the force use the GP medical marker for firearms licensing?", []),
        ("Does the force operate knife arches at events, and where?", [("s31(1)", 0.4)]),
        ("Does the force keep a gangs matrix or similar database?", [("s31(1)", 0.3)]),
        ("Is there a violence reduction unit in the force area, and how is it funded?", []),
    ],
    "drugs": [
        ("Does the force operate a drugs diversion scheme?", []),
        ("Does the force test seized drugs for nitazenes?", []),
        ("Do officers carry naloxone?", []),
        ("How are seized drugs destroyed, and where?", [("s31(1)", 0.5)]),
        ("Does the force use drug detection dogs at festivals or in schools?", []),
    ],
    "hate_crime": [
        ("Does the force still record non-crime hate incidents?", []),
        ("Does the force have hate crime liaison officers?", []),
        ("Does the force record misogyny as a hate crime strand?", []),
        ("How many third-party hate crime reporting centres are there in the force area?", []),
    ],
    "crime_statistics": [
        ("Does the force attend every residential burglary?", []),
        ("Does the force still investigate shoplifting under £200?", []),
        ("What proportion of crimes are screened out at the point of reporting?", []),
        ("How does the force decide which crimes get an officer visit?", []),
    ],
    "stop_search_force": [
        ("Does the force require body worn video to be switched on for every stop and search?", []),
        ("Which model of Taser do officers carry?", []),
        ("Has the force issued Taser to all response officers?", []),
        ("Does the force use spit guards on children?", []),
        ("Does the force have a community scrutiny panel for stop and search?", []),
    ],
    "custody": [
        ("Does the force have an independent custody visiting scheme?", []),
        ("Is healthcare in custody provided in-house or by a contractor?", []),
        ("Does the force use anti-rip clothing or suits in custody?", []),
        ("Are detainees able to see CCTV footage of themselves in custody?", []),
        ("How many custody suites does the force operate, and how many cells in each?", []),
    ],
    "roads_vehicles": [
        ("What speed threshold does the force use before issuing a notice?", [("s31(1)", 0.3)]),
        ("Does the force accept dashcam footage from the public?", []),
        ("Does the force plan to introduce average speed cameras on rural roads?", []),
        ("Are police drivers who crash during pursuits retrained?", []),
        ("Does the force use unmarked cars to enforce speed limits?", [("s31(1)", 0.35)]),
    ],
    "workforce_hr": [
        ("Does the force still require applicants to have a degree?", []),
        ("What is the starting salary for a police constable?", []),
        ("Does the force offer officers a menopause support scheme?", []),
        ("Is there a minimum height requirement to join?", []),
        ("Does the force pay for officers' private medical treatment?", []),
        ("How many officers are on duty at night in the town?", [("s31(1)", 0.8)]),
    ],
    "finance_procurement_it": [
        ("Does the force use Oracle, SAP or another system for finance and HR?", []),
        ("Does the force use cloud hosting, and with which provider?", [("s31(1)", 0.25)]),
        ("Has the force sold any police stations in the last two years?", []),
        ("Does the force use G-Cloud or the Crown Commercial Service frameworks?", []),
        ("Which IT systems are due for replacement in the next 24 months?", []),
    ],
    "technology_surveillance": [
        ("Does the force use live facial recognition?", []),
        ("Does the force use retrospective facial recognition on CCTV images?", []),
        ("Does the force own any drones?", []),
        ("Does the force use software to monitor social media?", [("s31(1)", 0.4)]),
        ("Does the force use Cellebrite or another mobile phone extraction tool?", [("s31(1)", 0.4)]),
        ("Does the force have a partnership with Ring or other doorbell camera companies?", []),
        ("Does the force use predictive policing or offender risk-scoring algorithms?", [("s31(1)", 0.2)]),
    ],
    "calls_operations": [
        ("What is the force's target time for answering 101 calls?", []),
        ("Does the force use the Single Online Home platform?", []),
        ("Has the force implemented Right Care, Right Person?", []),
        ("Does the force charge football clubs for policing inside the stadium?", []),
        ("How many response officers cover the rural north of the county at night?", [("s31(1)", 0.85)]),
    ],
    "safeguarding_vulnerability": [
        ("Does the force use the Herbert Protocol?", []),
        ("Does the force have a dedicated missing persons unit?", []),
        ("Does the force use the Philomena Protocol for children missing from care?", []),
        ("Does the force have a street triage scheme with mental health nurses?", []),
        ("Who is the force's lead for modern slavery?", []),
    ],
    "information_governance": [
        ("Does the force publish a disclosure log?", []),
        ("How many staff work in the FOI and data protection team?", []),
        ("Does the force use a case management system for FOI requests, and which one?", []),
        ("Has the force received any enforcement notices or reprimands from the ICO?", []),
        ("Does the force flag requests from journalists or campaigners for special handling?", []),
    ],
    "counter_terrorism_security": [
        ("Does the force have a Prevent team, and how many officers are in it?", [("s24(1)", 0.35), ("s31(1)", 0.3)]),
        ("Does the force use Project Servator?", []),
        ("Does the force provide counter-terrorism security advice to venues?", []),
        ("Are there armed officers on patrol in the city centre every day?", [("s24(2)", 0.6), ("s31(3)", 0.6)]),
    ],
    "fraud_cyber": [
        ("Does the force have a dedicated cyber crime unit?", []),
        ("Does the force follow up every Action Fraud referral?", []),
        ("Does the force take part in the Banking Protocol?", []),
        ("Does the force hold any cryptocurrency seized from criminals, and how is it stored?", [("s31(1)", 0.55)]),
    ],
    "other": [
        ("Does the force have a chaplaincy service?", []),
        ("Does the force have a heritage or museum collection?", []),
        ("Does the force allow officers to wear Pride lanyards or badges?", []),
        ("Is the force signed up to any animal welfare schemes?", []),
    ],
}

# Spending subjects: (what, topic it is about, chance that a price-level answer is withheld under s43).
SPEND = [
    ("Taser devices and cartridges", "stop_search_force", 0.15), ("spit and bite guards", "stop_search_force", 0.0),
    ("body worn video cameras", "technology_surveillance", 0.1), ("drones and drone pilot training", "technology_surveillance", 0.05),
    ("live facial recognition", "technology_surveillance", 0.1), ("ANPR cameras and the ANPR back office", "technology_surveillance", 0.15),
    ("digital forensics outsourcing", "technology_surveillance", 0.2), ("mobile phone extraction kiosks", "technology_surveillance", 0.2),
    ("custody healthcare", "custody", 0.2), ("refurbishing custody suites", "custody", 0.05),
    ("interpreters in custody and at interview", "custody", 0.15), ("appropriate adult services", "custody", 0.1),
    ("police vehicles", "roads_vehicles", 0.1), ("vehicle repairs after collisions", "roads_vehicles", 0.0),
    ("fuel for the fleet", "roads_vehicles", 0.05), ("speed cameras and camera maintenance", "roads_vehicles", 0.15),
    ("officer overtime", "workforce_hr", 0.0), ("agency staff", "workforce_hr", 0.1), ("recruitment advertising", "workforce_hr", 0.05),
    ("occupational health and counselling", "workforce_hr", 0.1), ("officer training courses", "workforce_hr", 0.05),
    ("external consultants", "finance_procurement_it", 0.1), ("external legal advice", "finance_procurement_it", 0.1),
    ("hotels and accommodation", "finance_procurement_it", 0.0), ("taxis", "finance_procurement_it", 0.0),
    ("Microsoft licences", "finance_procurement_it", 0.15), ("energy for police buildings", "finance_procurement_it", 0.05),
    ("the new headquarters building", "finance_procurement_it", 0.05), ("translation of documents", "finance_procurement_it", 0.15),
    ("policing protests", "calls_operations", 0.0), ("policing football matches", "calls_operations", 0.0),
    ("police dogs, kennels and vet bills", "calls_operations", 0.0), ("the NPAS helicopter service", "calls_operations", 0.0),
    ("the 101 and 999 telephony system", "calls_operations", 0.15), ("mutual aid for other forces", "calls_operations", 0.0),
    ("missing persons searches", "safeguarding_vulnerability", 0.0), ("mental health nurses in the control room", "safeguarding_vulnerability", 0.05),
    ("compensation for data breaches", "information_governance", 0.0), ("FOI and data protection staff", "information_governance", 0.0),
    ("records storage and archiving", "information_governance", 0.15), ("civil claims and settlements", "complaints_misconduct", 0.0),
    ("suspended officers' salaries", "complaints_misconduct", 0.0), ("misconduct hearings, including legally qualified chairs", "complaints_misconduct", 0.0),
    ("independent sexual violence advisers", "sexual_offences", 0.15), ("the sexual assault referral centre", "sexual_offences", 0.15),
    ("domestic abuse perpetrator programmes", "domestic_abuse_vawg", 0.1), ("panic alarms for domestic abuse victims", "domestic_abuse_vawg", 0.1),
    ("knife amnesty bins", "violent_crime_weapons", 0.05), ("the firearms licensing department", "violent_crime_weapons", 0.0),
    ("drug testing kits", "drugs", 0.15), ("destroying seized drugs", "drugs", 0.1),
    ("hate crime awareness campaigns", "hate_crime", 0.0), ("Prevent training", "counter_terrorism_security", 0.0),
    ("hostile vehicle mitigation barriers", "counter_terrorism_security", 0.1), ("fraud awareness campaigns", "fraud_cyber", 0.0),
    ("cyber security", "fraud_cyber", 0.2), ("lost property storage", "other", 0.0), ("the police museum", "other", 0.0),
    ("social media advertising", "finance_procurement_it", 0.05), ("uniform and protective equipment", "finance_procurement_it", 0.15),
]

# Systems and services asked about in supplier and contract questions: (name, topic).
SYSTEMS = [
    ("crime recording system", "technology_surveillance"), ("records management system", "technology_surveillance"),
    ("command and control system", "calls_operations"), ("telephony and contact centre platform", "calls_operations"),
    ("HR and payroll system", "workforce_hr"), ("duty management and rostering system", "workforce_hr"),
    ("finance system", "finance_procurement_it"), ("digital evidence management system", "technology_surveillance"),
    ("body worn video system", "technology_surveillance"), ("ANPR back office system", "technology_surveillance"),
    ("mobile data devices", "technology_surveillance"), ("custody management system", "custody"),
    ("case file and CPS transfer system", "technology_surveillance"), ("intelligence database", "technology_surveillance"),
    ("firearms licensing system", "violent_crime_weapons"), ("FOI and case management software", "information_governance"),
    ("document scanning and archiving service", "information_governance"), ("fleet management system", "roads_vehicles"),
    ("vehicle telematics", "roads_vehicles"), ("CCTV and video management system", "technology_surveillance"),
    ("interview recording equipment", "custody"), ("e-learning platform", "workforce_hr"),
    ("cyber security and endpoint protection", "fraud_cyber"), ("email and collaboration platform", "finance_procurement_it"),
    ("data centre hosting", "finance_procurement_it"), ("vehicle recovery service", "roads_vehicles"),
    ("forensic science services", "technology_surveillance"), ("recruitment and vetting system", "workforce_hr"),
    ("occupational health provider", "workforce_hr"), ("property and exhibits management system", "finance_procurement_it"),
    ("translation and interpreting service", "custody"), ("online reporting platform", "calls_operations"),
]
CONTRACT_QS = [  # (question about {sys}, chance of s43(2))
    ("Who is the supplier of the {sys}?", 0.0), ("When does the current contract for the {sys} expire?", 0.0),
    ("What is the annual cost of the {sys} contract?", 0.12), ("How many user licences are held for the {sys}?", 0.0),
    ("Was the {sys} bought through a framework, and if so which one?", 0.0),
    ("Are there plans to re-tender the {sys}, and when?", 0.0),
    ("What is the job title of the person responsible for the {sys} contract?", 0.0),
    ("What is the total contract value for the {sys}, including any extension options?", 0.1),
    ("Please provide the unit price or day rate paid for the {sys}.", 0.6),
    ("Please provide the tender evaluation scores for all bidders for the {sys}.", 0.75),
    ("What version of the {sys} is in use, and when was it last upgraded?", 0.0),
    ("Is the {sys} hosted on premises or in the cloud?", 0.0),
    ("How much did the force pay for implementation of the {sys}?", 0.15),
    ("Please send a copy of the contract for the {sys}, including the pricing schedule.", 0.7),
]

# Asks that usually draw an exemption: ("section:probability ... [+extra_topic]", [phrasings]).
# Slots: {officer} {person} {town} {street} {date} {op} {place} {year} {first}.
RISK = {
    "complaints_misconduct": [
        ("s40(5):.9 s30(3):.3", ["Has {officer} ever been the subject of a complaint or a misconduct investigation?",
            "Is {officer} currently under investigation by Professional Standards?",
            "I would like to know whether {officer} has been disciplined before. He dealt with my case in {year}.",
            "can you tell me if {officer} has had complaints against him before"]),
        ("s40(2):.85", ["Please provide the names and collar numbers of the officers dismissed for gross misconduct {period}.",
            "Please list the names of every officer currently suspended, with their rank and station.",
            "Please give the name and rank of each officer who was found guilty at a misconduct hearing {period}, and what they did."]),
        ("s40(2):.45 s12:.35", ["For each misconduct case {period}, please give the allegation, the officer's rank, the station and the sanction.",
            "For every complaint that was upheld {period}, please provide a summary of what happened and what action was taken against the officer."]),
        ("s12:.85", ["Please provide all emails sent or received by Professional Standards that mention {person} {period}.",
            "Please search the complaint files {period} for any mention of the word 'racist' and tell me the outcome of each one.",
            "Please send me every document, email and note relating to my complaint about officers at {town} station."]),
        ("s40(5):.7 s30(3):.5", ["I read that an officer from {town} was arrested {date}. Is he still working, and is there a misconduct investigation?",
            "Is it true that a sergeant at {town} has been suspended over allegations of assault? Has it been referred to the IOPC?"]),
        ("s42:.8", ["Please provide any legal advice the force obtained before deciding not to hold the misconduct hearing in public.",
            "Please disclose the legal advice received by the force about the civil claim brought by {person}."]),
        ("s31(1):.6", ["Please send me the vetting decision matrix the force uses to decide whether applicants with criminal associations are accepted.",
            "What intelligence checks are carried out on officers' family members during vetting, and which databases are searched?"]),
        ("s21:.5", ["What was the total number of complaints recorded against the force last year?",
            "How many complaint cases did the force record {period}? I think the IOPC publishes something but I can't find it."]),
        ("s14:.5", ["This is my ninth request. Give me the names of all officers who lied about me, their disciplinary records, and the reasons you keep protecting them."]),
    ],
    "sexual_misconduct": [
        ("s40(5):.9 s30(3):.4", ["Has {officer} been investigated for sending sexual messages to a victim?",
            "Is {officer} under investigation for sexual harassment of junior colleagues?",
            "Please confirm whether the inspector at {town} who was moved to another station is being investigated for sexual misconduct."]),
        ("s40(2):.7", ["For each officer dismissed for sexual misconduct {period}, please give the rank, the role and a summary of what happened.",
            "Please list the ranks and stations of officers currently suspended for sexual misconduct allegations."]),
        ("s12:.7 s40(2):.3", ["For every allegation of sexual misconduct against staff {period}, please give the date, the role of the accused, whether the complainant was a colleague or a member of the public, and the outcome.",
            "Please review all abuse of position cases {period} and tell me in each case how the officer first met the victim."]),
        ("s30(1):.6 s40(2):.6", ["Please provide details of the investigation into the PCSO from {town} charged with sexual assault {date}."]),
    ],
    "sexual_offences": [
        ("s40(5):.9 s30(3):.3", ["Is {person}, who lives on {street} in {town}, on the sex offenders register?",
            "Has the football coach {person} in {town} ever been investigated for a sexual offence?"]),
        ("s40(2):.7 s31(1):.6 s38(1):.35", ["Please give me the addresses of registered sex offenders living on {street} in {town}.",
            "how many sex offenders live near the primary school on {street} {town} and which houses are they in",
            "Please list the streets in {town} where registered sex offenders live."]),
        ("s30(1):.75 s40(2):.7", ["Please provide details of the investigation into the rape reported at {place} in {town} {date}, including whether anyone has been arrested.",
            "What is the current status of {op}, the investigation into non-recent abuse at a children's home in {town}? How many suspects have been identified?"]),
        ("s44:.6 s40(2):.8", ["Please tell me the name of the victim in the sexual assault case against {person} heard at {town} Crown Court.",
            "Who was the girl who made the allegation against the teacher at the school in {town}?"]),
        ("s12:.8", ["For all rapes recorded {period}, please state the relationship between the victim and the suspect and whether alcohol was involved.",
            "For each sexual offence recorded {period}, please tell me whether the victim had been drinking, the location type and the time of day.",
            "Please search crime reports {period} for the words 'Tinder', 'Bumble' or 'Hinge' and tell me how many sexual offences mention a dating app."]),
        ("s31(1):.7", ["How does the force monitor the internet use of registered sex offenders, and what software is used?",
            "How many visits do offender managers make to high-risk sex offenders each month, and are the visits announced?"]),
        ("s21:.45", ["How many rapes did the force record last year?", "What were the numbers of sexual offences in the force area {period}?"]),
    ],
    "domestic_abuse_vawg": [
        ("s38(1):.75 s31(1):.45 s40(2):.3", ["Please provide the addresses of the women's refuges in {town}.",
            "Where is the refuge that the police take women to in {town}? My wife has gone there with our kids."]),
        ("s40(5):.85 s30(3):.35", ["Does {person} have any history of domestic violence? I am starting a relationship with him.",
            "Has my former partner {person} been reported for domestic abuse by anyone else? He lives in {town}."]),
        ("s12:.85", ["For each domestic abuse call {period}, please tell me how long it took an officer to arrive and whether an arrest was made.",
            "Please search incident logs {period} for calls where the caller used the Silent Solution and tell me what happened in each case.",
            "For every DVPO breach {period}, please give the sentence imposed on the perpetrator."]),
        ("s41:.5 s40(2):.5 s22:.25", ["Please send the domestic homicide review for the death of {person} in {town}, and the force's submission to the review panel."]),
        ("s40(2):.7 s30(1):.5", ["Please tell me what action was taken after the domestic incident at {street}, {town} {date}. Was anyone charged?"]),
    ],
    "violent_crime_weapons": [
        ("s30(3):.8 s40(5):.7", ["Is {person} a suspect in the stabbing in {town} {date}?",
            "Has anyone else been identified as a suspect in the murder of {person} in {town}?"]),
        ("s40(2):.7 s31(1):.75 s38(1):.3", ["Please provide the addresses of all firearm certificate holders in {town}, and the number of guns each holds.",
            "How many shotgun certificate holders live on {street} in {town}?",
            "can you tell me which farms near {town} have guns licensed"]),
        ("s40(5):.85 s24(2):.45 s31(3):.5", ["Please list any MPs, councillors or celebrities who hold firearm certificates issued by the force.",
            "Does {person} hold a shotgun certificate? He has been making threats on Facebook."]),
        ("s30(1):.8 s40(2):.7", ["Please provide the investigation details for the stabbing on {street} in {town} {date}: the weapon used, the number of suspects and whether anyone has been charged.",
            "Please send the murder investigation file summary for the shooting in {town} {date}.",
            "Who was arrested for the robbery at {place} in {town} {date} and what were they charged with?"]),
        ("s12:.8", ["For each homicide recorded {period}, please give the method of killing, the relationship between victim and suspect and whether the suspect had previous convictions.",
            "For every knife crime offence {period}, please state where the knife came from (kitchen knife, bought online, etc.)."]),
        ("s31(1):.75 s24(1):.3", ["Where are surrendered firearms and ammunition stored before destruction, and how many are held at present?",
            "Which locations are currently covered by a knife arch operation, and when are the next ones planned?"]),
        ("s21:.4", ["How many knife crimes were recorded by the force last year?", "How many homicides were recorded {period}?"]),
    ],
    "drugs": [
        ("s31(1):.8 s30(1):.3", ["Which streets in {town} are the force's drug dealing hotspots, and when are the next raids planned?",
            "How many undercover officers work on drug operations in {town}, and what tactics do they use?"]),
        ("s31(3):.7 s30(3):.6", ["Is the house at {street}, {town} under police surveillance for drug dealing? I have reported it several times.",
            "Have you got an informant in the gang dealing drugs from the flats on {street} in {town}?"]),
        ("s30(1):.7 s40(2):.7", ["Please give the names of the people arrested during {op} in {town} {date} and the drugs found at each address.",
            "Please provide the addresses searched under drugs warrants in {town} {period}."]),
        ("s12:.8", ["For each drug seizure {period}, please give the drug, the weight, the location and the outcome for the person involved."]),
    ],
    "hate_crime": [
        ("s30(3):.6 s40(5):.6", ["Is the attack on the mosque in {town} {date} being investigated as a hate crime, and has anyone been identified?"]),
        ("s12:.85", ["For every non-crime hate incident recorded {period}, please give the reason it was recorded and whether the person was told.",
            "Please review all hate crimes recorded {period} and tell me how many started on social media.",
            "Please search incident logs {period} for any mention of 'trans' or 'transgender' and tell me the outcome."]),
        ("s40(2):.8 s30(1):.4", ["I would like the names of the people who had non-crime hate incidents recorded against them in {town} {period}.",
            "Please tell me who was arrested for the racist attack at {place} in {town} {date} and whether they have been charged."]),
        ("s40(5):.8", ["Has a non-crime hate incident been recorded against my name? My name is {person} and I live in {town}."]),
        ("s21:.4", ["How many hate crimes were recorded last year?", "What were the hate crime figures for the force {period}?"]),
    ],
    "crime_statistics": [
        ("s21:.7", ["How many burglaries were there on {street} in {town} {period}?",
            "what crimes happened on my road ({street}, {town}) last year",
            "Please give me the crime figures for my ward in {town} {period}."]),
        ("s12:.85", ["For every crime closed with no further action {period}, please provide the offence type and the reason given by the officer.",
            "For each burglary {period}, please tell me how the offender got in (door, window, unlocked) and what was stolen.",
            "Please search crime reports {period} for any mention of a delivery driver and tell me the type of crime."]),
        ("s40(2):.65 s30(1):.5", ["Please tell me who was arrested for the burglary at my house on {street}, {town} {date}, and why nobody has been charged.",
            "My shed was broken into {date}. Please send me the names of the suspects and the investigation notes."]),
        ("s22:.6", ["Please send the crime figures for the year ending March {year} broken down by offence type. I understand these have not yet been published."]),
    ],
    "stop_search_force": [
        ("s31(1):.8", ["Where and when will section 60 orders be used in {town} over the coming weeks?",
            "Which areas of {town} are targeted by stop and search patrols at the weekend?",
            "How many officers carry Taser on each shift in {town}?"]),
        ("s24(1):.45 s31(1):.7", ["How many armed response vehicles are on patrol at any one time, and how many authorised firearms officers are on each shift?",
            "How many firearms officers are on duty overnight in the force area?"]),
        ("s24(2):.55 s31(3):.6", ["Do armed officers patrol {town} town centre, and how many are deployed on a typical Saturday night?"]),
        ("s40(2):.65 s12:.3", ["For each time Taser was used on a child {period}, please give the child's age, ethnicity and the circumstances.",
            "For each police firearms discharge {period}, please give the date, the location and what happened to the person shot at."]),
        ("s12:.85", ["Please provide the free-text grounds recorded for every stop and search {period} that ended with no further action.",
            "For each use of force form submitted {period}, please tell me whether body worn video was recording."]),
        ("s30(1):.6 s40(2):.7", ["Why was a Taser used on the man arrested at {place} in {town} {date}? Please send the officer's use of force form."]),
    ],
    "custody": [
        ("s40(5):.85 s30(3):.3", ["Was {person} arrested and held in custody in {town} {date}? He is my brother and nobody will tell us anything.",
            "Can you confirm whether {person} was taken into custody at {town} {date}, and whether he was charged?"]),
        ("s40(2):.8 s30(1):.4", ["Please send me the custody record for {person}, who was arrested in {town} {date}.",
            "Who was in custody at {town} police station {date}, and why were they arrested?"]),
        ("s40(1):.7", ["Please send me my custody record and the interview recording from when I was arrested in {town} {date}.",
            "i want all the info you have on me from my arrest {date} in {town}, including the bodycam"]),
        ("s31(1):.8", ["Please provide the floor plans of {town} custody suite and a list of the cells covered by CCTV.",
            "Where are the blind spots in the CCTV coverage at {town} custody suite?"]),
        ("s30(1):.6 s40(2):.8", ["Please disclose the post-incident report into the death of {person} in {town} custody {date}, and the names of the staff on duty."]),
        ("s12:.75", ["For every child strip-searched in custody {period}, please give the reason for the search, whether an appropriate adult was present and whether anything was found."]),
    ],
    "roads_vehicles": [
        ("s40(5):.85", ["Has {officer} been prosecuted or disciplined for speeding in a police car?",
            "Was the driver of the police car that crashed in {town} {date} disciplined? I believe it was {officer}."]),
        ("s31(1):.8", ["Where will the mobile speed camera vans be deployed next week?",
            "Please list the dates and times that the camera van will be on {street} in {town} next month.",
            "Which of the fixed speed cameras in {town} are switched off or not working?"]),
        ("s40(2):.85", ["Please give me the name, address and insurance details of the other driver in my collision on {street}, {town} {date}.",
            "Who was driving the car that hit my son on {street} in {town} {date}?"]),
        ("s30(1):.7 s40(2):.6", ["Please provide details of the fatal collision on the road near {town} {date}: the speed of the car, whether the driver was arrested, and the charges.",
            "Please send the collision investigation report for the crash that killed a cyclist in {town} {date}."]),
        ("s12:.8", ["For every fatal collision {period}, please provide the contributory factors, the weather and whether a mobile phone was being used.",
            "For each police pursuit {period}, please give the reason it started, the speeds reached and how it ended."]),
        ("s21:.5", ["How many road collisions were there on the A-road through {town} {period}?", "How many people were killed on the roads in the force area {period}?"]),
    ],
    "workforce_hr": [
        ("s40(5):.8", ["Is {officer} currently suspended or on sick leave? He has not been in touch about my case for months.",
            "Has {officer} left the force, and if so was it because of a disciplinary matter?"]),
        ("s40(2):.85", ["Please give me the names and collar numbers of the officers based at {town} police station.",
            "What are the names of the officers who came to my house on {street}, {town} {date}?",
            "Please list the names and salaries of all police staff earning over £60,000."]),
        ("s38(1):.6 s40(2):.85", ["Please provide the home addresses of the officers who arrested my son in {town} {date}.",
            "Which towns do the officers at {town} station live in?"]),
        ("s24(1):.4 s31(1):.75", ["How many authorised firearms officers does the force have on each shift?",
            "How many officers are on duty in {town} at night, and how many response cars?",
            "What is the minimum staffing level for response officers in {town} on a weekend night?"]),
        ("s12:.8", ["For every officer who joined {period}, please give their starting salary, current salary and the date of each promotion.",
            "For each officer who resigned {period}, please give the reason recorded in their exit interview."]),
        ("s21:.6", ["What is the Chief Constable's salary?", "How many police officers does the force have?",
            "How many officers worked for the force {period}? I believe the Home Office publishes these figures."]),
        ("s40(2):.45", ["How many officers in each of the force's smaller departments have declared a disability, by department and rank?"]),
    ],
    "finance_procurement_it": [
        ("s43(2):.8", ["Please send the pricing schedule from the winning bid for the {sys} contract.",
            "Please provide the tender evaluation scores for all bidders for the {sys} contract.",
            "What hourly rate does the force pay each supplier on the interpreting framework?",
            "Please provide the day rates paid to each IT contractor working on the {sys} project."]),
        ("s31(1):.8 s24(1):.25", ["What version of Windows, Office and the firewall software does the force use, and which systems are out of support?",
            "Please provide the results of the most recent penetration test on the force's network.",
            "Has the force suffered any ransomware attacks, and which systems were affected?"]),
        ("s12:.8", ["Please send copies of every invoice paid for hospitality and catering {period}.",
            "Please provide all correspondence between the force and its IT suppliers about the {sys} {period}.",
            "Please list every purchasing card transaction made by the force {period}, with the merchant and the reason for the purchase."]),
        ("s22:.65", ["Please send the force's statement of accounts for {year}/{year1}.", "Please provide the Police and Crime Commissioner's annual report for {year}/{year1}."]),
        ("s21:.6", ["What is the force's total budget this year?", "How much did the force spend in total last year?",
            "Please list all contracts worth more than £25,000 awarded {period}."]),
        ("s31(1):.65", ["Please send the security arrangements and access control plans for the new police headquarters."]),
    ],
    "technology_surveillance": [
        ("s31(1):.85", ["Please provide the exact locations of all ANPR cameras in the force area.",
            "Where are the ANPR cameras in {town}? I want a list of the roads they are on.",
            "Which types of mobile phone or encrypted apps is the digital forensics unit unable to access?",
            "Please list the locations and dates of the force's planned live facial recognition deployments."]),
        ("s31(3):.85 s23(5):.55 s24(2):.6", ["Does the force use IMSI catchers (covert communications data capture equipment)?",
            "Has the force bought or used spyware capable of remotely hacking phones, such as Pegasus?",
            "Does the force use covert cameras disguised as street furniture, and how many does it have?",
            "Has the force used equipment to intercept messages on encrypted platforms such as EncroChat or Sky ECC?"]),
        ("s31(3):.6 s40(5):.6", ["Is the force monitoring the social media accounts of members of {town} climate protest groups?",
            "Have officers been using covert surveillance on journalists in the force area {period}?"]),
        ("s40(2):.75 s30(1):.5", ["Please send me the CCTV footage of the incident outside {place} in {town} {date}.",
            "I was assaulted on {street}, {town} {date}. Can you release the footage from the police camera there?"]),
        ("s12:.8", ["Please send all body worn video footage recorded at the protest in {town} {date}.",
            "Please provide every ANPR read for my registration number {period}."]),
        ("s40(1):.6", ["Please send me the body worn video from when officers attended my address in {town} {date}."]),
    ],
    "calls_operations": [
        ("s40(5):.8", ["Has the force received any calls about {person} of {street}, {town}? I believe he is harassing my family.",
            "Can you tell me if anyone has reported my neighbour at {street_no} {street} to the police {period}?"]),
        ("s31(1):.8", ["How many officers are on duty covering {town} on a typical night shift?",
            "How many response cars cover the area around {town} after midnight?",
            "What is the police plan for the {town} carnival and how many officers will be there?"]),
        ("s24(1):.6 s31(1):.7", ["What security measures and how many officers will be deployed for the royal visit to {town}?",
            "Please send the operational order for policing the party conference in {town}."]),
        ("s40(2):.7 s30(1):.3", ["Please send the recording of the 999 call made by my neighbour about me {date}.",
            "How many times have the police been called to {street}, {town} {period}, and what were the calls about?"]),
        ("s12:.85", ["For each call graded as an emergency {period}, please give the time received, time of arrival and the postcode.",
            "Please search all incident logs {period} for calls mentioning 'e-scooter' and tell me the outcome of each.",
            "For every call that was not attended {period}, please tell me the reason recorded."]),
        ("s21:.45", ["How many 999 calls did the force receive last year, and how many were answered within 10 seconds?"]),
    ],
    "safeguarding_vulnerability": [
        ("s40(2):.85 s38(1):.35", ["My niece keeps going missing from her care home in {town}. Please send me the missing person reports and tell me who she was found with.",
            "Please give me the addresses of the children's homes in {town} that the police visit most often."]),
        ("s40(5):.85 s38(2):.2", ["Has my son {person} been detained under section 136? He lives in {town} and we haven't heard from him.",
            "Has my mother been reported missing or found by police in {town}? Her name is {person}."]),
        ("s12:.8", ["For every child reported missing {period}, please say whether they were excluded from school and whether they were known to the youth offending team.",
            "For each s136 detention {period}, please give the time spent waiting at A&E and the outcome of the assessment."]),
        ("s41:.55 s40(2):.45", ["Please provide the reports that children's social care and the NHS gave to the force for the safeguarding review concerning Child {first_initial} in {town}.",
            "Please send the minutes of the multi-agency child exploitation panel meetings held {period}."]),
        ("s31(1):.55", ["Which addresses in {town} are being monitored for cuckooing, and how often do officers visit them?"]),
    ],
    "information_governance": [
        ("s12:.8 s14:.15", ["Please send me every internal email that mentions my FOI requests {period}.",
            "Please provide all emails between the FOI team and the press office that mention journalists' requests {period}.",
            "Please search the FOI case management system for every request that was flagged as a round robin and give me the full text of each."]),
        ("s42:.85", ["Please disclose the legal advice the force received about its use of section 14 for repeated requests.",
            "Please provide the legal advice obtained about the lawfulness of retaining custody images of people not charged."]),
        ("s40(2):.6 s31(1):.5", ["Please provide details of every data breach {period}: what happened, how many people were affected, and the names of the staff involved.",
            "Please list the data breaches reported to the ICO {period} and the security weaknesses that caused them."]),
        ("s40(2):.85", ["Please give me the names of everyone who has made an FOI request to the force about me.",
            "Please list the names of all journalists who made FOI requests {period}."]),
        ("s40(1):.8", ["Please send me all the information you hold about me, including any intelligence reports and notes from when I was stopped in {town}.",
            "I want copies of any records you have about me. My name is {person}, date of birth 12/08/1979."]),
        ("s14:.7", ["Further to my previous 40 requests, please provide the names, qualifications and home towns of all FOI staff and the time spent on each of my requests."]),
        ("s22:.6", ["Please send the FOI compliance statistics for {year}. I understand these are published every quarter."]),
    ],
    "counter_terrorism_security": [
        ("s23(5):.8 s24(2):.8 s40(5):.6", ["Has any serving MP or councillor been referred to Prevent?",
            "Has {person} been referred to Prevent or Channel? He is my son and lives in {town}.",
            "Was the man arrested in {town} {date} known to MI5 or Special Branch?"]),
        ("s23(5):.7 s24(2):.8 s31(3):.6", ["How many Special Branch officers does the force employ?",
            "Does the force share data with MI5 or GCHQ, and under what agreements?",
            "How many people in the force area are currently on a terrorism watchlist?"]),
        ("s24(2):.6 s31(3):.6", ["Are armed counter-terrorism officers deployed at {town} airport every day, and how many?",
            "Is there a counter-terrorism police unit based in {town}, and how many officers work there?"]),
        ("s24(1):.6 s31(1):.7", ["Please list the crowded places in {town} assessed by counter-terrorism security advisers and the vulnerabilities found.",
            "What security measures will be in place at the {town} Christmas market, and how many armed officers will attend?"]),
        ("s21:.5", ["How many terrorism-related arrests were made in Great Britain last year?",
            "How many Prevent referrals were made nationally {period}?"]),
        ("s24(1):.3 s40(2):.4", ["How many Prevent referrals did the force receive {period}, broken down by school and by the age of the child?"]),
    ],
    "fraud_cyber": [
        ("s40(5):.85 s30(3):.6", ["Is {person} of {town} under investigation for fraud? Several people in our village have lost money to him.",
            "Has the force received other reports about the builder {person} in {town}? I think he has scammed a lot of people."]),
        ("s31(1):.75 s24(1):.25", ["How many cyber attacks has the force itself suffered {period}, and were any successful?",
            "What tools does the force use to trace cryptocurrency, and which exchanges does it work with?",
            "Which bank accounts and payment apps are most used by scammers in the force area, and how does the force trace them?"]),
        ("s30(1):.75 s40(2):.7", ["Please disclose the investigation file for the invoice fraud we reported {date}, including the suspect's bank details.",
            "What progress has been made on the investigation into {person}'s investment scheme in {town}?"]),
        ("s12:.85", ["For each fraud report received from Action Fraud {period}, please give the type of fraud, the amount lost and the reason for not investigating.",
            "For every romance fraud reported {period}, please tell me which dating site or app was involved."]),
        ("s21:.55", ["How many fraud reports did Action Fraud receive nationally last year?"]),
    ],
    "other": [
        ("s40(2):.85", ["Please tell me who lives at {street_no} {street}, {town}.", "Who owns the dog that bit my daughter on {street} in {town} {date}?"]),
        ("s21:.5", ["What is the population of the force area?"]),
        ("s31(1):.5", ["Where is the force's lost property stored, and what security is in place there?"]),
        ("s12:.7", ["Please list every item of lost property handed in {period} with a description and what happened to it."]),
    ],
}

# Context a requester gives before asking, by topic (may be skipped).
CONTEXT = {
    "complaints_misconduct": ["Following the recent reports about police vetting, I am looking at how forces deal with misconduct.",
        "I made a complaint last year and I am trying to understand how common my experience is.",
        "I am researching the time taken to resolve complaints against the police.",
        "The IOPC annual statistics do not give the detail I need, so I am asking each force directly."],
    "sexual_misconduct": ["After the Couzens and Carrick cases I am looking at how forces handle allegations of sexual misconduct by their own officers.",
        "I am researching the culture within policing following the Casey review."],
    "sexual_offences": ["I am researching the attrition of rape cases between report and charge.",
        "Parents at my children's school are worried about recent incidents in the area.",
        "I am writing an article on the policing of online child abuse."],
    "domestic_abuse_vawg": ["We support women and girls affected by violence and abuse in the area.",
        "I am looking into how the Domestic Abuse Act 2021 has been put into practice.",
        "As part of the 16 Days of Activism campaign we are collecting data from every force."],
    "violent_crime_weapons": ["There has been a spate of stabbings near where I live.", "I am writing about serious youth violence.",
        "I am comparing firearms licensing waiting times across forces."],
    "drugs": ["I am researching the policing of cannabis across the UK.", "Residents on my estate are worried about drug dealing.",
        "We are looking at the use of diversion schemes as an alternative to prosecution."],
    "hate_crime": ["We are monitoring hate crime against our community.", "I am looking at the recording of non-crime hate incidents."],
    "crime_statistics": ["I run a neighbourhood watch group and residents keep asking me about crime in our area.",
        "I am comparing crime outcomes across police forces.", "Our business has been targeted several times this year."],
    "stop_search_force": ["I am looking at disproportionality in stop and search.", "We scrutinise police use of force in our community.",
        "I am researching the roll-out of Taser to frontline officers."],
    "custody": ["I am researching the treatment of children in police custody.", "I volunteer as an independent custody visitor.",
        "We act for clients detained at several of your custody suites."],
    "roads_vehicles": ["I am a member of a local road safety group.", "There have been several serious crashes on the road outside my house.",
        "I am looking at how camera enforcement varies between forces."],
    "workforce_hr": ["I am looking at police officer numbers since 2010.", "I am interested in joining the police.",
        "I am researching officer wellbeing and retention."],
    "finance_procurement_it": ["We are a supplier in this market and want to understand the procurement timetable.",
        "I am looking at how police budgets are being spent.", "This information will help us plan our engagement with public sector buyers."],
    "technology_surveillance": ["I am researching the use of surveillance technology by UK police forces.",
        "We are concerned about the privacy implications of new police technology.", "I am comparing digital forensics capacity across forces."],
    "calls_operations": ["I waited over an hour on 101 last week.", "I am looking at police response times across the country.",
        "Residents have raised concerns about the police presence at weekends."],
    "safeguarding_vulnerability": ["I am researching the policing of mental health crisis.", "We support children who go missing from care.",
        "I am looking at how forces identify victims of modern slavery."],
    "information_governance": ["I am researching FOI compliance across public bodies.", "I have concerns about how long my personal data is kept.",
        "I am looking at data protection breaches in the public sector."],
    "counter_terrorism_security": ["I am researching the Prevent duty and its effect on young people.", "I am writing about security at major events."],
    "fraud_cyber": ["My elderly father was recently the victim of a scam.", "I am looking at how forces respond to fraud reports from Action Fraud.",
        "Our company was targeted by a cyber attack."],
    "other": ["This is for a local history project.", "I am just curious about this."],
}

# Clarifications requesters add after their questions.
CLARIFY = {
    "complaints_misconduct": ["By complaint I mean a complaint recorded under the Police Reform Act 2002, whether or not it was upheld.",
        "Please include police staff and special constables as well as regular officers."],
    "sexual_misconduct": ["By sexual misconduct I mean the definition used in the College of Policing guidance, including abuse of position for a sexual purpose.",
        "Please include both allegations from colleagues and from members of the public."],
    "sexual_offences": ["Please count offences by the date they were reported, not the date they took place.",
        "Please include attempted offences."],
    "domestic_abuse_vawg": ["Please use the force's domestic abuse flag, whichever offence was recorded.",
        "If the force changed its recording practice during the period, please say when."],
    "violent_crime_weapons": ["Please use the Home Office definition of knife crime (offences involving a knife or sharp instrument).",
        "Please include offences where a weapon was threatened but not used."],
    "drugs": ["Please give separate figures for Class A, B and C drugs where you can.", "Please exclude drug driving."],
    "hate_crime": ["Where a crime was recorded under more than one strand, please count it under each.",
        "Please include both crimes and non-crime incidents, separately."],
    "crime_statistics": ["Please count crimes by the date they were recorded.", "Outcome data as it stands today is fine."],
    "stop_search_force": ["By use of force I mean any tactic recorded on a use of force form.",
        "Please count each person searched once, even if more than one power was used."],
    "custody": ["By child I mean anyone aged under 18 at the time of arrest.", "Please include all of the force's custody suites."],
    "roads_vehicles": ["Please include collisions on motorways and trunk roads.", "If the safety camera partnership holds this rather than the force, please say so."],
    "workforce_hr": ["Headcount and FTE are both fine; please say which you have used.", "Please include officers on secondment."],
    "finance_procurement_it": ["Please give figures excluding VAT.", "If the contract is held by the PCC rather than the force, please say so."],
    "technology_surveillance": ["Please include any trials or pilots as well as permanent use.", "Please include equipment owned jointly with a regional unit."],
    "calls_operations": ["Please use the force's own grading categories.", "Please give answer times in seconds."],
    "safeguarding_vulnerability": ["By child I mean anyone under 18.", "Please count each missing episode separately rather than each person."],
    "information_governance": ["Please count each request once, even if it had several parts.", "I am not asking for any personal data."],
    "counter_terrorism_security": ["I do not want any information that would identify an individual.", "Aggregate figures are fine."],
    "fraud_cyber": ["Please include reports made directly to the force as well as those passed on by Action Fraud.", "Please give amounts in pounds."],
    "other": ["Approximate figures are fine."],
}

# Requests to councils and NHS bodies (police-adjacent, as they turn up in real logs).
OTHER_BODIES = {
    "council": ["Dear {body},", "To the FOI officer, {body}", "Hello {body} FOI team,"],
    "nhs": ["Dear FOI Lead,", "To the Freedom of Information team, {body}", "Dear {body},"],
}
COUNCILS = ["Leeds City Council", "Bristol City Council", "Wandsworth Council", "Birmingham City Council",
            "Cornwall Council", "Kent County Council", "Glasgow City Council", "Belfast City Council",
            "Swansea Council", "Norfolk County Council", "Manchester City Council", "Enfield Council"]
TRUSTS = ["Sussex Partnership NHS Foundation Trust", "Manchester University NHS Foundation Trust",
          "Leeds Teaching Hospitals NHS Trust", "Cardiff and Vale University Health Board",
          "NHS Greater Glasgow and Clyde", "Barts Health NHS Trust", "Mersey Care NHS Foundation Trust"]
BODY_COUNTS = {
    "council": """
fixed penalty notices for fly-tipping|issued||crime_statistics
anti-social behaviour complaints|received by the council||crime_statistics
public space CCTV cameras|operated by the council||technology_surveillance
requests from the police for council CCTV footage|received||technology_surveillance
taxi driver licences|revoked after police information||other
Public Spaces Protection Order fines|issued by council enforcement officers||other
penalty charge notices for parking|issued||roads_vehicles
referrals from the police to children's social care|received||safeguarding_vulnerability
households|housed in temporary accommodation after fleeing domestic abuse||domestic_abuse_vawg
premises licences|reviewed at the request of the police||other
Community Safety Partnership meetings|held||other
noise complaints|received||other
children|placed in out-of-area care homes||safeguarding_vulnerability
domestic homicide reviews|commissioned by the Community Safety Partnership||domestic_abuse_vawg
""",
    "nhs": """
patients|brought to the emergency department by police under section 136||safeguarding_vulnerability
physical assaults on staff|reported to the police||workforce_hr
patients|treated for stab wounds||violent_crime_weapons
hours|police officers spent waiting with patients in A&E||calls_operations
staff|disciplined for inappropriately accessing patient records||information_governance
patients|referred to the sexual assault referral centre||sexual_offences
Prevent referrals|made by trust staff||counter_terrorism_security
patients|detained under the Mental Health Act||safeguarding_vulnerability
security incidents|recorded on hospital premises||crime_statistics
""",
}

# --------------------------------------------------------------------------- periods and breakdowns
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
NUMWORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 10: "ten"}


def num(rng, n):
    return NUMWORDS.get(n, str(n)) if rng.random() < 0.6 else str(n)


def fy(y, rng):
    style = rng.choice(["{a}/{b2}", "{a}-{b2}", "{a}/{b}", "{a}-{b}"])
    return style.format(a=y, b=y + 1, b2=str(y + 1)[-2:])


def ordinal(d):
    return f"{d}{'th' if 10 <= d % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(d % 10, 'th')}"


def flow_period(rng, rec):
    """A period asked about, written one of many ways; returns (text, spans several years)."""
    y, ly = rec.year, rec.year - 1
    last_fy = y - 1 if rec.month >= 4 else y - 2  # start year of the last complete financial year
    n = rng.choice([2, 3, 3, 3, 4, 5, 5, 5, 6, 10])
    y1 = ly - rng.choice([1, 2, 2, 3, 4, 5, 7])
    d = rng.randint(1, 28)
    m = rng.randrange(12)
    options = [
        (f"in {ly}", False), (f"during {ly}", False), (f"in the calendar year {ly}", False),
        (f"in each of the last {num(rng, n)} years", n >= 3), (f"over the past {num(rng, n)} years", n >= 3),
        (f"for the last {num(rng, n)} calendar years", n >= 3), (f"in the last {num(rng, n)} full years", n >= 3),
        (f"since {y1}", ly - y1 >= 2), (f"since 1 January {y1}", ly - y1 >= 2),
        (f"since {ordinal(d)} {MONTHS[m]} {y1}", ly - y1 >= 2), (f"since {MONTHS[m]} {y1}", ly - y1 >= 2),
        (f"between {y1} and {ly}", ly - y1 >= 2), (f"from {y1} to {ly}", ly - y1 >= 2), (f"for {y1}-{ly}", ly - y1 >= 2),
        (f"for the years {y1}, {y1 + 1} and {y1 + 2}", True) if y1 + 2 <= ly else (f"in {y1} and {y1 + 1}", False),
        (f"for the financial years {fy(last_fy - 2, rng)}, {fy(last_fy - 1, rng)} and {fy(last_fy, rng)}", True),
        (f"in the financial year {fy(last_fy, rng)}", False), (f"in {fy(last_fy, rng)}", False),
        (f"for each financial year from {fy(last_fy - n + 1, rng)} to {fy(last_fy, rng)}", n >= 3),
        ("in the last 12 months", False), ("over the last six months", False), ("in the past year", False),
        ("last year", False), ("in the last calendar year", False),
        (f"from January {y1} to {MONTHS[m]} {ly}", ly - y1 >= 2), (f"for each month of {ly}", False),
        (f"between 1 April {last_fy - 1} and 31 March {last_fy + 1}", True), (f"in the three years to March {last_fy + 1}", True),
        ("to date", True), ("since records began", True), (f"so far this year ({y})", False),
        (f"between {MONTHS[m]} {ly} and {MONTHS[(m + 5) % 12]} {ly + (1 if m + 5 >= 12 else 0)}", False),
        (f"for {ly - 1} and {ly}", False), (f"in each year since {y1}", ly - y1 >= 2),
        (f"for the period 01/01/{y1} to 31/12/{ly}", ly - y1 >= 2), (f"in the year ending March {last_fy + 1}", False),
    ]
    return rng.choice(options)


def stock_period(rng, rec):
    y, ly = rec.year, rec.year - 1
    return rng.choice([("as at 31 March " + str(y if rec.month > 4 else ly), False), ("currently", False), ("at present", False),
                       (f"as at 1 {rng.choice(MONTHS)} {ly}", False), ("as of today", False), (f"on 31 December {ly}", False),
                       ("at the time of this request", False), (f"at the end of each year from {ly - 4} to {ly}", True),
                       (f"as at 31 March in each year from {ly - 5} to {ly}", True), ("right now", False)])


BD_WORDS = {
    "year": ["year", "calendar year", "financial year"], "month": ["month"], "quarter": ["quarter"],
    "week": ["week"], "day": ["day of the week"], "gender": ["gender", "sex"],
    "ethnicity": ["ethnicity", "self-defined ethnicity", "ethnic group", "officer-observed ethnicity"],
    "age": ["age group", "age band", "age (under 18, 18-24, 25 and over)", "age"],
    "nationality": ["nationality"], "religion": ["religion"], "disability": ["disability"],
    "sexual_orientation": ["sexual orientation"],
    "rank_role": ["rank", "rank or grade", "role", "whether officer or staff"],
    "department_unit": ["department", "unit", "team"],
    "location": ["local policing area", "district", "borough", "ward", "police station", "division",
                 "neighbourhood policing team area", "postcode district", "town"],
    "offence_type": ["offence type", "crime type", "category", "allegation type", "type"],
    "outcome": ["outcome", "outcome (charged, cautioned, community resolution, no further action)", "result", "disposal"],
}
TOPIC_DIMS = {
    "complaints_misconduct": ["year", "rank_role", "outcome", "offence_type", "gender", "ethnicity", "department_unit"],
    "sexual_misconduct": ["year", "rank_role", "outcome", "gender"],
    "sexual_offences": ["year", "age", "outcome", "location", "gender", "month"],
    "domestic_abuse_vawg": ["year", "month", "outcome", "location", "gender", "age"],
    "violent_crime_weapons": ["year", "age", "location", "outcome", "offence_type", "month", "gender"],
    "drugs": ["year", "offence_type", "outcome", "age", "location", "ethnicity"],
    "hate_crime": ["year", "offence_type", "outcome", "location", "month"],
    "crime_statistics": ["year", "month", "location", "outcome", "offence_type", "quarter", "day"],
    "stop_search_force": ["year", "ethnicity", "age", "gender", "outcome", "location", "month"],
    "custody": ["year", "age", "ethnicity", "gender", "location", "month"],
    "roads_vehicles": ["year", "month", "location", "age", "gender", "outcome", "day"],
    "workforce_hr": ["year", "rank_role", "gender", "ethnicity", "department_unit", "age", "disability", "sexual_orientation", "religion"],
    "finance_procurement_it": ["year", "department_unit", "quarter", "month"],
    "technology_surveillance": ["year", "month", "location", "outcome"],
    "calls_operations": ["year", "month", "location", "week", "day", "quarter"],
    "safeguarding_vulnerability": ["year", "age", "gender", "location", "month", "nationality"],
    "information_governance": ["year", "month", "quarter", "department_unit", "outcome"],
    "counter_terrorism_security": ["year", "age", "gender", "offence_type"],
    "fraud_cyber": ["year", "offence_type", "age", "outcome", "month"],
    "other": ["year", "location", "month"],
}


CASE_TOPICS = {"complaints_misconduct", "sexual_misconduct", "sexual_offences", "domestic_abuse_vawg", "violent_crime_weapons",
               "drugs", "hate_crime", "stop_search_force", "custody", "roads_vehicles", "counter_terrorism_security", "fraud_cyber"}


def breakdown(rng, topic, long, stock=False):
    """A breakdown clause (or ''), and whether it asks for one line per case."""
    r = rng.random()
    if r < 0.1 and topic in CASE_TOPICS and not stock:
        return rng.choice([", with the outcome of each case", ", listing each case separately", ", case by case, with the date and location",
                           ", giving details of each incident"]), True
    k = 0 if r < 0.5 else (1 if r < 0.85 else 2)
    dims = [d for d in TOPIC_DIMS[topic] if (long or d != "year")
            and not (stock and d in ("month", "quarter", "week", "day", "outcome", "offence_type"))]
    dims = rng.sample(dims, min(k, len(dims)))
    if not dims:
        return "", False
    words = [rng.choice(BD_WORDS[d]) for d in dims]
    if len(words) == 1:
        w = words[0]
        if w in ("year", "month", "quarter", "week") and rng.random() < 0.35:
            return rng.choice([f" per {w}", f" for each {w}", f", {w} by {w}"]), False
        pre = rng.choice([", broken down by", " by", ", split by", ", with a breakdown by", " and broken down by", ", separated by"])
        return f"{pre} {w}", False
    pre = rng.choice([", broken down by", " by", ", split by", ", with a breakdown by"])
    return f"{pre} {words[0]} {rng.choice(['and', 'and by', 'and also by'])} {words[1]}", False

# --------------------------------------------------------------------------- parsing the slot tables
def parse_counts(block, topic):
    out = []
    for line in block.strip().splitlines():
        np_, verb, tags, extra = (line.split("|") + ["", "", ""])[:4]
        tags = set(t for t in tags.split(",") if t)
        extra = [t for t in extra.split(",") if t]
        for t in extra:
            if t not in TOPICS:
                raise ValueError(f"unknown topic {t!r} in {line!r}")
        if tags - {"stock", "pub", "manual", "small", "tactic"}:
            raise ValueError(f"unknown tag in {line!r}")
        out.append({"np": np_.strip(), "verb": verb.strip(), "tags": tags, "topics": [topic] + extra})
    return out


COUNT_SUBJECTS = {t: parse_counts(b, t) for t, b in COUNTS.items()}
BODY_SUBJECTS = {}
for body, block in BODY_COUNTS.items():
    items = []
    for line in block.strip().splitlines():
        np_, verb, tags, topic = (line.split("|") + ["", "", ""])[:4]
        items.append({"np": np_, "verb": verb, "tags": set(t for t in tags.split(",") if t), "topics": [topic]})
    BODY_SUBJECTS[body] = items


def parse_spec(spec):
    return [(s.split(":")[0], float(s.split(":")[1])) for s in spec.split()]


# --------------------------------------------------------------------------- slot filling
def officer(rng, male=False):
    s, f = rng.choice(SURNAMES), rng.choice(FIRST_M if male else FIRST)
    return rng.choice([f"PC {s}", f"PC {f} {s}", f"Sergeant {s}", f"DS {f} {s}", f"Inspector {s}", f"DC {s}",
                       f"PC {rng.randint(1000, 9999)} {s}", f"PCSO {f} {s}", f"Sgt {s} (collar number {rng.randint(100, 3999)})",
                       f"Chief Inspector {f} {s}", f"Detective Constable {f} {s}"])


def past_date(rng, rec):
    d = rec - dt.timedelta(days=rng.randint(5, 400))
    return rng.choice([f"on {d.day} {MONTHS[d.month - 1]} {d.year}", f"on {ordinal(d.day)} {MONTHS[d.month - 1]}",
                       f"on {d.day:02d}/{d.month:02d}/{d.year}", f"in {MONTHS[d.month - 1]} {d.year}",
                       f"last {MONTHS[d.month - 1]}", f"on the night of {d.day} {MONTHS[d.month - 1]}"])


FEMALE = re.compile(r"mother|Her name|\bshe\b|\bher\b")
MALE = re.compile(r"\b(he|him|his|He)\b")


def fill(rng, text, ctx):
    rec = ctx["rec"]
    vals = {
        "officer": officer(rng, MALE.search(text) is not None), "town": ctx["town"],
        "person": rng.choice(FIRST_F if FEMALE.search(text) else FIRST_M) + " " + rng.choice(SURNAMES),
        "street": rng.choice(STREETS), "date": past_date(rng, rec), "op": f"Operation {rng.choice(OP_NAMES)}",
        "place": rng.choice(PLACE_TYPES), "year": str(rec.year - 1), "year1": str(rec.year)[-2:],
        "first": rng.choice(FIRST), "first_initial": rng.choice("ABCDEFGHJKLMNPRSTW"), "street_no": str(rng.randint(1, 140)),
        "sys": rng.choice(SYSTEMS)[0],
    }
    if "{period}" in text:
        p, long = flow_period(rng, rec)
        vals["period"] = p
        ctx["long"] = ctx.get("long", False) or long
    return text.format(**vals)


def cap(s):
    return s[:1].upper() + s[1:] if s else s


def article(w):
    return "an" if w[:1].lower() in "aeiou" else "a"


# --------------------------------------------------------------------------- question makers
# Each returns a dict: text (a full sentence), item (a noun-phrase form for "please provide:" lists,
# or None), topics, ex (list of (section, probability)), long (spans several years).

def q_count(rng, subj, topic, ctx, shared_period=None):
    pool = ctx.setdefault("used_subjects", set())
    if subj["np"] in pool:  # pick another subject of the same topic rather than ask twice
        alts = [x for x in (COUNT_SUBJECTS[topic] if ctx["body"] == "police" else BODY_SUBJECTS[ctx["body"]]) if x["np"] not in pool]
        subj = rng.choice(alts) if alts else subj
    pool.add(subj["np"])
    stock = "stock" in subj["tags"]
    if shared_period is not None:
        per, long = "", shared_period[1]
    else:
        per, long = (stock_period if stock else flow_period)(rng, ctx["rec"])
    bd, per_case = breakdown(rng, topic, long, stock)
    np_, verb = subj["np"], subj["verb"]
    sp = f" {per}" if per else ""
    if stock:
        vb = f" {verb}" if verb else ""
        frames = [f"How many {np_} are{vb or ' there'}{sp}{bd}?" if verb or rng.random() < .5 else f"How many {np_} does the force have{sp}{bd}?",
                  f"Please provide the number of {np_}{vb}{sp}{bd}.", f"What is the current number of {np_}{vb}{bd}?",
                  f"Please tell me the total number of {np_}{vb}{sp}{bd}.", f"Could you let me know how many {np_} there are{vb and ' ' + verb}{sp}{bd}?",
                  f"Number of {np_}{vb}{sp}{bd}.", f"I would like to know the number of {np_}{vb}{sp}{bd}."]
        item = f"the number of {np_}{vb}{sp}{bd}"
    else:
        perf = "have been" if per.startswith(("since", "to date", "so far")) else "were"
        area = ctx["town"] if rng.random() < 0.25 else rng.choice(
            ["the force area", "your force area", "your area", "the county"] if ctx["body"] == "police" else ["your area", "the area you cover"])
        pc = cap(per) if per else "Overall"
        frames = [f"How many {np_} {perf} {verb}{sp}{bd}?", f"Please provide the number of {np_} {verb}{sp}{bd}.",
                  f"Could you tell me how many {np_} {perf} {verb}{sp}{bd}?", f"I would like to know the number of {np_} {verb}{' by the force' if ctx['body'] == 'police' and ' by ' not in verb else ''}{sp}{bd}.",
                  f"{pc}, how many {np_} {perf} {verb}{bd}?", f"Please can you send me figures for the number of {np_} {verb}{sp}{bd}.",
                  f"What was the total number of {np_} {verb}{sp}{bd}?", f"Can I have the figures for {np_} {verb}{sp}{bd} please",
                  f"Do you hold figures for the number of {np_} {verb}{sp}? If so, please provide them{bd}.",
                  f"Please state how many {np_} {perf} {verb} in {area}{sp}{bd}.", f"I am requesting the number of {np_} {verb}{sp}{bd}.",
                  f"Number of {np_} {verb}{sp}{bd}.", f"Please disclose the numbers of {np_} {verb}{sp}{bd}.",
                  f"Would you be able to tell me how many {np_} {perf} {verb}{sp}{bd}?",
                  f"Please let me know how many {np_} {perf} {verb}{sp}{bd}.", f"I'd like the number of {np_} {verb}{sp}{bd}.",
                  f"Can you confirm the number of {np_} {verb}{sp}{bd}?", f"Please supply data showing how many {np_} {perf} {verb}{sp}{bd}.",
                  f"{cap(np_)} {verb}{sp}: totals{bd} please.", f"I need to know how many {np_} {perf} {verb}{sp}{bd}.",
                  f"Is it possible to get the number of {np_} {verb}{sp}{bd}?",
                  f"How many {np_} did the force record{sp}{bd}?" if verb == "recorded" else f"In {area}, how many {np_} {perf} {verb}{sp}{bd}?"]
        item = rng.choice([f"the number of {np_} {verb}{sp}{bd}", f"{np_} {verb}{sp}{bd}", f"the total number of {np_} {verb}{sp}{bd}"])
    ex = []
    tags = subj["tags"]
    if "manual" in tags:
        ex.append(("s12", 0.7 if long else 0.45))
    if "small" in tags:
        ex.append(("s40(2)", 0.2))
    if "pub" in tags and not bd:
        ex.append(("s21", 0.3))
    if "tactic" in tags:
        ex.append(("s31(1)", 0.55))
    if per_case:
        ex += [("s40(2)", 0.25), ("s12", 0.55 if long else 0.2)]
    elif "location" in bd or "ward" in bd or "postcode" in bd or "station" in bd:
        ex.append(("s40(2)", 0.08))
    if long and " and " in bd:
        ex.append(("s12", 0.12))  # several years cut two ways often means extracting record by record
    return {"text": rng.choice(frames), "item": item, "topics": subj["topics"], "ex": ex, "long": long, "kind": "count", "topic": topic}


NO_FOLLOWUP = {"information_governance", "finance_procurement_it", "other", "workforce_hr"}


def q_followup(rng, topic):
    return {"text": rng.choice(FOLLOWUPS[topic]), "item": None, "topics": [topic], "ex": [], "long": False, "kind": "followup", "topic": topic}


def fresh(rng, ctx, options, key):
    """Pick an option not yet used in this request (so nothing is asked twice)."""
    used = ctx.setdefault("used_subjects", set())
    left = [o for o in options if key(o) not in used] or options
    o = rng.choice(left)
    used.add(key(o))
    return o


def q_doc(rng, topic, ctx):
    doc = fresh(rng, ctx, DOCS[topic], lambda d: "doc:" + d)
    frames = [f"Please provide a copy of the force's {doc}.", f"Could you send me your current {doc}?",
              f"I would like a copy of the {doc}, and the date it was last reviewed.", f"Does the force have {article(doc)} {doc}? If so, please send a copy.",
              f"Please disclose the most recent version of your {doc}.", f"A copy of the {doc} currently in use.",
              f"Can you share the {doc} please?", f"Please send me the {doc} and any equality impact assessment for it.",
              f"Is there {article(doc)} {doc}? I would like to see it."]
    item = rng.choice([f"a copy of the force's {doc}", f"your current {doc}", f"the {doc}"])
    ex = [("s31(1)", 0.12)] if topic in ("technology_surveillance", "stop_search_force", "counter_terrorism_security", "custody") else []
    return {"text": rng.choice(frames), "item": item, "topics": [topic], "ex": ex, "long": False, "kind": "doc", "topic": topic}


def q_yesno(rng, topic, ctx):
    q, ex = fresh(rng, ctx, YESNO[topic], lambda y: "yn:" + y[0])
    if rng.random() < 0.3 and q.split()[0] in ("Does", "Do", "Is", "Are", "Has", "Have"):
        q = q.rstrip("?") + rng.choice(["? If so, since when?", "? If not, why not?", "? If so, please give details.", "? If so, please explain how this works."])
    return {"text": q, "item": None, "topics": [topic], "ex": list(ex), "long": False, "kind": "yesno", "topic": topic}


def q_spend(rng, ctx, topic=None):
    cands = [s for s in SPEND if topic is None or s[1] == topic] or SPEND
    what, t, p43 = fresh(rng, ctx, cands, lambda c: "spend:" + c[0])
    per, long = flow_period(rng, ctx["rec"])
    bds = ["", "", "", ", including VAT"] + ([", broken down by supplier", ", with the name of each supplier"] if p43 > 0 else []) \
        + ([", split by year", " by financial year", ", for each year separately"] if long else [])
    bd = rng.choice(bds)
    frames = [f"How much did the force spend on {what} {per}{bd}?", f"What was the total cost of {what} {per}{bd}?",
              f"Please provide the total expenditure on {what} {per}{bd}.", f"Could you tell me how much has been spent on {what} {per}{bd}?",
              f"How much money was spent on {what} {per}{bd}?", f"I would like to know the amount spent on {what} {per}{bd}.",
              f"Please state the spend on {what} {per}{bd}.", f"Total spend on {what} {per}{bd}."]
    ex = []
    if "supplier" in bd:
        ex.append(("s43(2)", p43 * 1.5))
    text = rng.choice(frames)
    if p43 > 0 and rng.random() < 0.2:
        text += " Please include the unit price paid."
        ex.append(("s43(2)", 0.55))
    topics = ["finance_procurement_it"] + ([t] if t != "finance_procurement_it" else [])
    return {"text": text, "item": None, "topics": topics, "ex": ex, "long": long, "kind": "spend", "topic": t}


def q_contract(rng, ctx, topic=None):
    cands = [s for s in SYSTEMS if topic is None or s[1] == topic] or SYSTEMS
    sysname, t = fresh(rng, ctx, cands, lambda c: "sys:" + c[0])
    qs = rng.sample(CONTRACT_QS, rng.randint(2, 4))
    out = []
    for i, (q, p) in enumerate(qs):
        text = q.format(sys=sysname)
        if i > 0 and rng.random() < 0.4:
            text = text.replace(f"the {sysname}", "this system")
        topics = ["finance_procurement_it"] + ([t] if t != "finance_procurement_it" else [])
        out.append({"text": text, "item": None, "topics": topics, "ex": [("s43(2)", p)] if p else [], "long": False, "kind": "contract", "topic": t})
    return out


def q_risk(rng, topic, ctx):
    spec, variants = fresh(rng, ctx, RISK[topic], lambda r: "risk:" + r[1][0])
    sub = {"rec": ctx["rec"], "town": ctx["town"]}
    raw = rng.choice(variants)
    text = fill(rng, raw, sub)
    ex = parse_spec(spec)
    topics = [topic]
    if "{sys}" in raw:
        topics.append("finance_procurement_it")
    personal = re.search(r"\b(my|me|I|i|I'm|we)\b", raw) is not None
    return {"text": text, "item": None, "topics": topics, "ex": ex, "long": sub.get("long", False), "kind": "risk", "topic": topic,
            "personal": personal}


# --------------------------------------------------------------------------- request assembly
REQUESTERS = {"journalist": 30, "member_of_public": 24, "researcher": 15, "campaigner": 11, "business": 9,
              "solicitor": 4, "mp_councillor": 7}
# Topics each kind of requester leans towards (added weight).
LEANS = {
    "business": {"finance_procurement_it": 45, "technology_surveillance": 20, "fraud_cyber": 4, "roads_vehicles": 4, "custody": 2},
    "campaigner": {"stop_search_force": 6, "hate_crime": 5, "domestic_abuse_vawg": 5, "technology_surveillance": 4, "custody": 3},
    "solicitor": {"custody": 6, "complaints_misconduct": 6, "information_governance": 4, "roads_vehicles": 3},
    "mp_councillor": {"crime_statistics": 6, "calls_operations": 6, "workforce_hr": 4, "roads_vehicles": 4},
    "researcher": {"safeguarding_vulnerability": 3, "information_governance": 3, "custody": 2},
    "member_of_public": {"crime_statistics": 4, "roads_vehicles": 4, "calls_operations": 3, "other": 2},
}


def wchoice(rng, weights):
    keys = list(weights)
    return rng.choices(keys, [weights[k] for k in keys])[0]


def greeting(rng, ctx):
    force = ctx["force"]
    short = FORCE_SHORT.get(force, force.replace("the ", ""))
    return rng.choice(["Dear Sir/Madam,", "Dear Sir or Madam,", "Hello,", "Hi,", "Good morning,", "Good afternoon,",
                       "Dear FOI Team,", "Dear Freedom of Information Officer,", "To whom it may concern,",
                       f"Dear {short} FOI team,", f"FAO: Freedom of Information Unit, {force.replace('the ', '')}",
                       "Dear Information Compliance team,", "Hi there", "Dear Disclosure Unit,", "Hello FOI team,",
                       "Dear Data Protection and FOI Officer,", "Dear Information Management,"])


def intro(rng, ctx, topic):
    r = ctx["requester"]
    foia = "the Freedom of Information (Scotland) Act 2002" if ctx["force"] == "Police Scotland" else rng.choice(
        ["the Freedom of Information Act 2000", "the Freedom of Information Act", "the FOI Act", "FOIA"])
    parts = []
    who = {
        "journalist": [f"I am a journalist at {rng.choice(OUTLETS)}.", f"I'm a reporter with {rng.choice(OUTLETS)}.",
                       f"I work for {rng.choice(OUTLETS)} and I am researching a story.", "I am a freelance journalist."],
        "researcher": [f"I am a PhD student at {rng.choice(UNIS)}.", f"I am a researcher at {rng.choice(UNIS)}.",
                       f"I am a master's student at {rng.choice(UNIS)} working on my dissertation.",
                       "I am an independent researcher.", f"I lecture in criminology at {rng.choice(UNIS)}."],
        "campaigner": [f"I am writing on behalf of {rng.choice(CHARITIES)}.", f"I volunteer with {rng.choice(CHARITIES)}.",
                       f"We are {rng.choice(CHARITIES)} working in {ctx['town']}."],
        "business": [f"I work for {rng.choice(FIRMS)}.", f"We are {rng.choice(FIRMS)} supplying the public sector.",
                     f"I am contacting you from {rng.choice(FIRMS)}."],
        "solicitor": ["We act for a client in connection with a civil claim.", "We are instructed on behalf of a client.",
                      "I am a solicitor acting for a family in an inquest.", "We represent a number of claimants."],
        "mp_councillor": [f"I am a councillor for a ward in {ctx['town']}.", f"As the Member of Parliament for {ctx['town']}, I have been contacted by constituents.",
                          f"I am writing as a member of the {ctx['town']} community safety partnership.", f"I am a parish councillor near {ctx['town']}."],
        "member_of_public": [f"I live in {ctx['town']}.", "I hope you can help.", "Just a quick question.", "",
                             f"I am a resident of {ctx['town']}."],
    }[r]
    if rng.random() < 0.45:
        parts.append(rng.choice(who[r] if isinstance(who, dict) else who))
    if r in ("journalist", "researcher", "campaigner") and ctx["body"] == "police" and rng.random() < 0.3:
        parts.append(rng.choice(["I am sending this request to all police forces in England and Wales.",
                                 "This request is being sent to all 43 territorial forces.",
                                 "I am sending the same request to every police force in the UK.",
                                 "This is a round-robin request to all UK police forces.",
                                 "The same request has gone to each force so that figures can be compared."]))
    if rng.random() < 0.3 and ctx["body"] == "police":
        c = rng.choice(CONTEXT[topic])
        personal = re.search(r"\b(my|I live|I waited|I made|I am interested|our)\b", c, re.I) is not None
        if not personal or r in ("member_of_public", "mp_councillor", "campaigner"):
            if r != "business" or topic in ("finance_procurement_it", "technology_surveillance", "fraud_cyber"):
                parts.append(c)
    if rng.random() < 0.36:
        parts.append(rng.choice([f"Under {foia}, I would like to request the following information.",
                                 f"I am making this request under {foia}.", f"Please treat this as a request under {foia}.",
                                 f"This is a request for recorded information under {foia}.",
                                 f"I am writing to ask for information under {foia}.", f"I'd like to ask for the following under {foia}.",
                                 "Please deal with this as a freedom of information request.", "This is an FOI request.",
                                 "Request under FOI:", f"I am requesting information held by {'the force' if ctx['body'] == 'police' else 'you'}, as provided for by {foia}.",
                                 f"Could you please supply the following under {foia}?", "I'd like to put in an FOI request."]))
    return " ".join(p for p in parts if p)


def closing(rng):
    return rng.choice(["Please provide the data in Excel or CSV format if possible.",
                       "If this request would exceed the cost limit, please tell me what you can provide within it.",
                       "If any part of the information is exempt, please release the rest.",
                       "Where a figure is under five, please say so rather than withholding it.",
                       "I would prefer to receive the response by email.", "Thank you for your help with this request.",
                       "I look forward to hearing from you within 20 working days.",
                       "Please let me know if you need any clarification.", "Many thanks in advance for your time.",
                       "If the information is already published, please point me to it.",
                       "Please acknowledge receipt of this request.",
                       "If you cannot answer all of the questions, please prioritise the first."])


def signoff(rng, ctx):
    f, s = rng.choice(FIRST), rng.choice(SURNAMES)
    r = ctx["requester"]
    name = {"journalist": f"{f} {s}\n{cap(rng.choice(OUTLETS).replace('the ', 'The ', 1))}" if rng.random() < 0.4 else f"{f} {s}",
            "mp_councillor": rng.choice([f"Cllr {f} {s}", f"{f} {s} MP", f"Councillor {s}"]),
            "solicitor": f"{s} & {rng.choice(SURNAMES)} Solicitors", "business": f"{f} {s}\nAccount Manager"}.get(r, rng.choice([f, f"{f} {s}"]))
    return rng.choice([f"Kind regards,\n{name}", f"Many thanks,\n{name}", f"Yours faithfully,\n{name}", f"Regards,\n{name}",
                       f"Best wishes,\n{name}", "Thanks", f"Thank you,\n{name}", f"Yours sincerely,\n{name}", f"Cheers\n{f}",
                       f"{name}", "Thanks in advance", f"With thanks,\n{name}"])


def noisy(rng, text, heavy):
    """Informal spelling: lower case, dropped punctuation, letter swaps, text-speak."""
    if heavy and rng.random() < 0.35:
        text = text.lower()
    if rng.random() < 0.5:
        text = text.replace("'", "")
    words = text.split(" ")
    for _ in range(rng.randint(1, 3 if heavy else 1)):
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 5 and w.isalpha():
            j = rng.randrange(1, len(w) - 2)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    text = " ".join(words)
    if heavy:
        for a, b in [(" you ", " u "), ("please", "pls"), (" I ", " i "), ("?", "??"), ("Thank you", "thanks"), ("because", "cos")]:
            if a in text and rng.random() < 0.25:
                text = text.replace(a, b, 1)
        if rng.random() < 0.4:
            text = text.rstrip(".")
    return text


def list_marker(style, i):
    return {"num": f"{i + 1}.", "paren": f"{i + 1})", "q": f"Q{i + 1}.", "alpha": f"{'abcdefghijkl'[i]})", "alpha2": f"({'abcdefghijkl'[i]})",
            "dash": "-", "bullet": "•", "star": "*"}[style]


def join_prose(rng, texts):
    out = [texts[0]]
    conns = ["I would also like to know: ", "Also, ", "In addition, ", "Could you also tell me: ", "Further, ",
             "", "", "", "And ", "Additionally, ", "On top of that, "]
    rng.shuffle(conns)
    for i, t in enumerate(texts[1:]):
        c = "Finally, " if i == len(texts) - 2 and len(texts) > 2 and rng.random() < 0.4 else conns.pop()
        if c.endswith(": ") and not t.startswith(("How", "What", "Whether", "Which", "Who", "When", "Where")):
            c = rng.choice(["Also, ", "", "Further, "])
        low = c and not c.endswith(": ") and t[1:2].islower()
        out.append(c + (t[:1].lower() + t[1:] if low else t))
    return " ".join(out)


def rand_received(rng):
    year = rng.choices(range(2012, 2026), [2, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 10, 9, 6])[0]
    start = dt.date(year, 1, 1)
    end = dt.date(year, 10, 31) if year == 2025 else dt.date(year, 12, 31)
    d = start + dt.timedelta(days=rng.randrange((end - start).days))
    while d.weekday() >= 5 and rng.random() < 0.8:  # most requests arrive on working days
        d += dt.timedelta(days=1)
    return d


def pick_topic(rng, requester, exclude=()):
    w = dict(TOPIC_WEIGHTS)
    for t, add in LEANS.get(requester, {}).items():
        w[t] += add
    for t in exclude:
        w.pop(t, None)
    return wchoice(rng, w)


def build_questions(rng, ctx, topics, nq, shared):
    """Draw nq questions about the chosen topics."""
    qs = []
    # Published disclosure logs hold far fewer requests about identifiable people than an
    # inbox receives (those are refused or answered privately): keep risky asks a minority.
    risk_p = 0.2
    while len(qs) < nq:
        topic = topics[0] if not qs or rng.random() < 0.55 else rng.choice(topics)
        r = rng.random()
        if ctx["body"] != "police":
            subj = rng.choice(BODY_SUBJECTS[ctx["body"]])
            q = q_count(rng, subj, "other", ctx, shared)
            q["topics"] = subj["topics"]
            if rng.random() < 0.15:
                q["ex"].append(("s12", 0.5))
            qs.append(q)
            continue
        w = {"risk": 0 if shared else risk_p, "count": 0.36 if topic != "finance_procurement_it" else 0.12, "doc": 0.08, "yesno": 0.08,
             "spend": 0 if shared else (0.05 if topic != "finance_procurement_it" else 0.2),
             "contract": 0.04 + (0.08 if ctx["requester"] == "business" else 0) + (0.16 if topic == "finance_procurement_it" else 0)
             if topic == "finance_procurement_it" or any(s_[1] == topic for s_ in SYSTEMS) else 0}
        kind = wchoice(rng, w)
        if kind == "risk":
            qs.append(q_risk(rng, topic, ctx))
        elif kind == "count":
            qs.append(q_count(rng, rng.choice(COUNT_SUBJECTS[topic]), topic, ctx, shared))
            if len(qs) < nq and rng.random() < 0.25 and not shared and topic not in NO_FOLLOWUP:
                qs.append(q_followup(rng, topic))
        elif kind == "doc":
            qs.append(q_doc(rng, topic, ctx))
        elif kind == "yesno":
            qs.append(q_yesno(rng, topic, ctx))
        elif kind == "spend":
            qs.append(q_spend(rng, ctx, None if topic == "finance_procurement_it" else topic))
        else:
            qs.extend(q_contract(rng, ctx, None if topic == "finance_procurement_it" else topic))
    seen, uniq = set(), []
    for q in qs:
        if q["text"] not in seen:
            seen.add(q["text"])
            uniq.append(q)
    return uniq[:max(nq, 1) + 2]


def label_exemptions(rng, qs):
    chosen = []
    for q in qs:
        for sec, p in q["ex"]:
            if sec == "s12" and not q["long"] and q["kind"] != "risk":
                p *= 0.5
            if rng.random() < min(p, 0.95) and sec not in chosen:
                chosen.append(sec)
    if not chosen and len(qs) >= 4 and rng.random() < (0.2 if any(q["long"] for q in qs) else 0.06):
        chosen.append("s12")  # long multi-part requests sometimes tip over the cost limit on their own
    # Police responses cite the national-security exemption beside law enforcement for about
    # half of capability and resourcing answers (NPCC practice), and the NCND pair together.
    if "s31(1)" in chosen and "s24(1)" not in chosen and rng.random() < 0.45:
        chosen.append("s24(1)")
    if "s31(3)" in chosen and "s24(2)" not in chosen and rng.random() < 0.6:
        chosen.append("s24(2)")
    if "s12" in chosen and rng.random() < 0.85:
        chosen = ["s12"]  # most forces refuse the whole request when one part exceeds the limit
    if "s14" in chosen and rng.random() < 0.8:
        chosen = ["s14"]
    chosen.sort(key=lambda s: (int(re.match(r"s(\d+)", s).group(1)), s))
    return chosen


def label_topics(qs, primary):
    score = {}
    for i, q in enumerate(qs):
        for j, t in enumerate(q["topics"]):
            score[t] = score.get(t, 0) + (1.0 if j == 0 else 0.7) + (0.01 if i == 0 else 0)
    score[primary] = score.get(primary, 0) + 5
    # A request is labelled with what it is about, as real requests are: a topic that one question's
    # subject only touches (an extra topic, 0.7) is not enough; it must be a question's own topic or
    # be touched by two questions. Labelling the union of every question's topics gave generated rows
    # 1.75 labels each against 1.33 in real requests (1.48 now).
    ranked = [t for t in sorted(score, key=lambda t: -score[t]) if t == primary or score[t] >= 1.0][:3]
    if len(ranked) > 1 and "other" in ranked:
        ranked.remove("other")
    return ranked


def make_request(rng, rid):
    requester = wchoice(rng, REQUESTERS)
    rec = rand_received(rng)
    body = "police"
    r = rng.random()
    if r < 0.05:
        body = "council"
    elif r < 0.085:
        body = "nhs"
    force = rng.choice(list(FORCES))
    ctx = {"requester": requester, "rec": rec, "force": force, "town": rng.choice(FORCES[force]), "body": body}
    if body == "council":
        ctx["bodyname"] = rng.choice(COUNCILS)
        ctx["town"] = ctx["bodyname"].split(" ")[0]
    elif body == "nhs":
        ctx["bodyname"] = rng.choice(TRUSTS)
    primary = pick_topic(rng, requester)
    topics = [primary]
    if rng.random() < 0.4 and primary != "other":
        topics.append(pick_topic(rng, requester, exclude=topics + ["other"]))
        if rng.random() < 0.2:
            topics.append(pick_topic(rng, requester, exclude=topics + ["other"]))
    # real requests usually ask several things (median ~110 words): lists of 3-7 are common
    nq = rng.choices([1, 2, 3, 4, 5, 6, 7], [16, 14, 20, 18, 14, 10, 8])[0]
    style = "single" if nq == 1 else rng.choices(
        ["num", "paren", "q", "alpha", "alpha2", "dash", "bullet", "star", "prose", "shared"], [22, 14, 3, 6, 4, 8, 4, 2, 20, 17])[0]
    shared = None
    if style == "shared":
        shared = flow_period(rng, rec)
    qs = build_questions(rng, ctx, topics, nq, shared)
    if body != "police":
        primary = qs[0]["topics"][0]
    if any(q.get("personal") for q in qs) and requester not in ("member_of_public", "solicitor"):
        requester = ctx["requester"] = "member_of_public"
    if style == "single" and len(qs) > 1:
        style = "prose"

    # text
    lines = []
    if body != "police":
        if rng.random() < 0.8:
            lines.append(rng.choice(OTHER_BODIES[body]).format(body=ctx["bodyname"]))
    elif rng.random() < (0.35 if requester == "member_of_public" else 0.6):
        lines.append(greeting(rng, ctx))
    pre = intro(rng, ctx, primary)
    if pre:
        lines.append(pre)
    if style in ("single", "prose"):
        lines.append(join_prose(rng, [q["text"] for q in qs]))
    else:
        if style == "shared":
            p = shared[0]
            heads = ["Please give me the following {p}:", "{P}, could you tell me:", "I would like the following information {p}:",
                     "For each of the following, please give figures {p}:", "Please give me these figures {p}:"]
            bare = re.sub(r"^(in|for|during) ", "", p)
            if bare.startswith(("the ", "each ", "the years", "20", "19")):
                heads += ["For {b}, please provide:", "For {b}:", "Covering {b}, please tell me:"]
            lines.append(rng.choice(heads).format(p=p, P=cap(p), b=bare))
            items = [cap(q["item"]) if q["item"] else q["text"] for q in qs]
        else:
            if rng.random() < 0.6:
                lines.append(rng.choice(["Here are my questions:", "Specifically:", "I would like to know:", "In particular:",
                                         "The information I am after is:", "Please answer the following:", "Please supply the following:", "I would like to request the following:",
                                         "My questions are:", "Could you please tell me:", "I would be grateful for the following:",
                                         "Please could you answer the following questions.", "Questions:"]))
            items = [q["text"] for q in qs]
        st = rng.choice(["num", "paren", "dash", "alpha"]) if style == "shared" else style
        sep = "\n" if rng.random() < 0.7 else "\n\n"
        lines.append(sep.join(f"{list_marker(st, i)} {t}" for i, t in enumerate(items)))
    if rng.random() < 0.22 and body == "police":
        lines.append(rng.choice(CLARIFY[rng.choice(topics)]))
    if rng.random() < 0.3:
        lines.append(closing(rng))
        extra = closing(rng)
        if rng.random() < 0.25 and extra != lines[-1]:
            lines[-1] += " " + extra
    if rng.random() < (0.35 if requester == "member_of_public" else 0.6):
        lines.append(signoff(rng, ctx))
    para = "\n\n" if rng.random() < 0.7 else "\n"
    if rng.random() < 0.08:
        para = " "  # pasted from a web form with the line breaks lost
    text = para.join(lines).strip()
    heavy = requester == "member_of_public"
    if rng.random() < (0.45 if heavy else 0.06):
        text = noisy(rng, text, heavy)

    ex = label_exemptions(rng, qs)
    return {"id": rid, "text": text, "topics": label_topics(qs, primary), "exemptions": ex,
            "ncnd": any(e in NCND_SUBSECTIONS for e in ex), "received": rec.isoformat(),
            "source": "generated", "requester": requester}


# --------------------------------------------------------------------------- near-duplicate control
def shingles(text, k=6):
    w = re.findall(r"[a-z0-9']+", text.lower())
    return {" ".join(w[i:i + k]) for i in range(max(len(w) - k + 1, 1))}


def generate(n, seed):
    rng = random.Random(seed)
    # every hand-written file: core.jsonl and the long real-register requests (core_long_*.jsonl)
    core = [json.loads(l) for path in sorted(HERE.glob("core*.jsonl"))
            for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
    index, kept_sh, out = {}, [], []
    texts = {r["text"] for r in core}
    for r in core:
        kept_sh.append(shingles(r["text"]))
        for s in kept_sh[-1]:
            index.setdefault(s, []).append(len(kept_sh) - 1)
    tries = 0
    while len(out) < n:
        tries += 1
        row = make_request(rng, f"g{len(out) + 1:04d}")
        if row["text"] in texts:
            continue
        sh = shingles(row["text"])
        overlap = {}
        for s in sh:
            for j in index.get(s, ()):
                overlap[j] = overlap.get(j, 0) + 1
        if any(c / len(sh | kept_sh[j]) > 0.5 for j, c in overlap.items()):
            continue  # too close to a row already kept
        texts.add(row["text"])
        kept_sh.append(sh)
        for s in sh:
            index.setdefault(s, []).append(len(kept_sh) - 1)
        out.append(row)
    return core, out, tries


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=N_GENERATED, help="number of generated requests")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", default=str(HERE / "requests.jsonl"))
    args = ap.parse_args()
    core, gen, tries = generate(args.n, args.seed)
    with open(args.out, "w", encoding="utf-8") as f:
        for row in core + gen:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(core)} core + {len(gen)} generated rows to {args.out} ({tries} drafts)")


if __name__ == "__main__":
    main()
