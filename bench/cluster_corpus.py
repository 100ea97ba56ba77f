"""Stories written for the clustering bench and tests: the same event told by several
agencies in their own words, and the hard cases that must stay apart.

    python bench/cluster_corpus.py > tests/fixtures/clusters/pairs.jsonl

Each event has facts (a place, names, figures, a day); each agency writes it from its own
phrasings and picks its own subset of the facts, so two agencies share the event's names and
figures but few sentences. Labels come from the events themselves, never from the method:
a pair is "same" when both stories tell the same event (a flash and the later story of one
agency, or two agencies' stories, or a follow-up with a new toll a day later).

Hard negatives: the same place with a different event on the same day, the same kind of event
elsewhere on the same day, the same kind of event in the same place on another day (within
and beyond the 48 h window), and two stories of one agency on different events.
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
AGENCIES = ("Reuters", "AP", "AFP", "dpa")
PLACES = [
    ("Tokyo", "Japan"), ("Osaka", "Japan"), ("Santiago", "Chile"), ("Lima", "Peru"),
    ("Manila", "Philippines"), ("Jakarta", "Indonesia"), ("Ankara", "Turkey"),
    ("Izmir", "Turkey"), ("Athens", "Greece"), ("Lisbon", "Portugal"), ("Madrid", "Spain"),
    ("Paris", "France"), ("Lyon", "France"), ("Berlin", "Germany"), ("Hamburg", "Germany"),
    ("Warsaw", "Poland"), ("Nairobi", "Kenya"), ("Lagos", "Nigeria"), ("Accra", "Ghana"),
    ("Cairo", "Egypt"), ("Mumbai", "India"), ("Dhaka", "Bangladesh"), ("Seoul", "South Korea"),
    ("Sydney", "Australia"), ("Toronto", "Canada"), ("Mexico City", "Mexico"),
    ("Bogota", "Colombia"), ("Quito", "Ecuador"), ("Oslo", "Norway"), ("Vienna", "Austria"),
]
FIRST = ["Maria", "Kenji", "Amara", "Tomasz", "Lucia", "Omar", "Ingrid", "Rafael", "Aiko",
         "Dmitri", "Nadia", "Carlos", "Fatima", "Henrik", "Priya", "Mateo", "Leila", "Jonas",
         "Yusuf", "Elena", "Kwame", "Sofia", "Arjun", "Marta", "Hiroshi", "Chidi", "Anika"]
LAST = ["Okafor", "Tanaka", "Kowalski", "Moreno", "Haddad", "Lindqvist", "Sato", "Petrov",
        "Mensah", "Costa", "Novak", "Ibrahim", "Schneider", "Reyes", "Yilmaz", "Nakamura",
        "Adeyemi", "Fischer", "Duarte", "Kaur", "Varga", "Oliveira", "Bauer", "Castillo",
        "Demir", "Ansah", "Halvorsen", "Ruiz", "Kimura", "Lopez"]
COMPANIES = ["Norvik Steel", "Helios Airlines", "Bluewater Foods", "Kestrel Motors",
             "Orinoco Energy", "Pangea Telecom", "Sakura Robotics", "Atlas Shipping",
             "Verdant Pharma", "Corvid Semiconductors", "Meridian Bank", "Tundra Mining"]
UNIONS = ["rail workers' union", "teachers' union", "dockworkers' union", "nurses' union",
          "metalworkers' union", "air traffic controllers' union"]
PARTIES = ["Progress Party", "Civic Union", "National Renewal", "Green Alliance",
           "People's Movement", "Democratic Centre"]


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


@dataclass
class Event:
    id: int
    kind: str
    city: str
    country: str
    at: datetime
    facts: dict[str, Any] = field(default_factory=dict)


def make_event(rng: random.Random, number: int, kind: str, city: str, country: str,
               at: datetime) -> Event:
    f: dict[str, Any] = {"person": person(rng), "other": person(rng)}
    if kind == "quake":
        f.update(mag=round(rng.uniform(5.4, 7.9), 1), depth=rng.randint(8, 120),
                 dead=rng.randint(3, 240), hurt=rng.randint(20, 900),
                 offshore=rng.randint(20, 160))
    elif kind == "rates":
        f.update(bank=f"Central Bank of {country}", rate=round(rng.uniform(0.5, 9.5) * 4) / 4,
                 move=rng.choice(["raised", "cut"]), bp=rng.choice([25, 50, 75]),
                 inflation=round(rng.uniform(1.5, 11.0), 1))
    elif kind == "election":
        f.update(party=rng.choice(PARTIES), share=round(rng.uniform(34, 58), 1),
                 turnout=round(rng.uniform(48, 81), 1), seats=rng.randint(90, 260))
    elif kind == "crash":
        f.update(company=rng.choice(COMPANIES[1:2] + ["Condor Air", "Skyline Express",
                                                      "Aurora Regional", "Sunbird Air"]),
                 flight=f"{rng.choice('KSRA')}{rng.choice('XLQ')}{rng.randint(100, 9899)}",
                 aboard=rng.randint(40, 280), dead=rng.randint(0, 60))
    elif kind == "fire":
        f.update(hectares=rng.randint(800, 60000), evacuated=rng.randint(300, 25000),
                 firefighters=rng.randint(150, 2400), region=f"{city} hills")
    elif kind == "strike":
        f.update(union=rng.choice(UNIONS), days=rng.randint(2, 9), workers=rng.randint(8, 220) * 1000,
                 pay=rng.randint(4, 18))
    elif kind == "earnings":
        f.update(company=rng.choice(COMPANIES), profit=round(rng.uniform(0.2, 9.8), 2),
                 quarter=rng.choice(["first", "second", "third", "fourth"]),
                 change=rng.randint(3, 48), direction=rng.choice(["rose", "fell"]))
    elif kind == "flood":
        f.update(river=rng.choice(["Aras", "Meloni", "Tavor", "Kiri", "Salado", "Vesna"]),
                 dead=rng.randint(2, 90), missing=rng.randint(1, 70), homes=rng.randint(200, 9000))
    elif kind == "court":
        f.update(years=rng.randint(2, 25), charge=rng.choice(
            ["fraud", "bribery", "money laundering", "embezzlement", "tax evasion"]),
                 amount=rng.randint(3, 400))
    elif kind == "protest":
        f.update(crowd=rng.randint(5, 300) * 1000, cause=rng.choice(
            ["fuel prices", "a pension reform", "a new mining law", "housing costs",
             "a media law", "water shortages"]), arrests=rng.randint(4, 160))
    return Event(number, kind, city, country, at, f)


# Each kind: headlines and ledes, written as different agencies would; more sentences to pick.
H: dict[str, list[str]] = {
    "quake": ["Magnitude {mag} earthquake strikes near {city}, killing at least {dead}",
              "Strong quake jolts {country}; {dead} dead, hundreds hurt",
              "{country} earthquake: death toll reaches {dead} as rescuers search rubble",
              "Quake of magnitude {mag} hits {country}'s {city} region"],
    "rates": ["{bank} {move} rates by {bp} basis points to {rate}%",
              "{country}'s central bank {move} key rate to {rate}% as inflation hits {inflation}%",
              "{country} central bank surprises with {bp} bp move",
              "Governor {person} defends {bp} bp rate decision"],
    "election": ["{party} wins {country} election with {share}% of the vote",
                 "{country} votes: {person}'s {party} claims victory",
                 "{person} set to lead {country} after {party} takes {seats} seats",
                 "Turnout of {turnout}% as {country} hands {party} a win"],
    "crash": ["{company} plane with {aboard} aboard crashes near {city}",
              "{dead} killed as {company} flight {flight} crashes in {country}",
              "Flight {flight} goes down near {city}; {aboard} on board",
              "Rescuers reach wreck of {company} jet outside {city}"],
    "fire": ["Wildfire near {city} forces {evacuated} to flee",
             "{country} fire burns {hectares} hectares as winds rise",
             "Thousands evacuated as blaze spreads in {region}",
             "{firefighters} firefighters battle wildfire outside {city}"],
    "strike": ["{country} {union} walks out for {days} days over pay",
               "Strike by {workers} workers halts services across {country}",
               "{union} in {country} demands {pay}% rise, starts {days}-day strike",
               "Talks fail as {country} strike begins; {person} calls it necessary"],
    "earnings": ["{company} {quarter}-quarter profit {direction} {change}% to {profit} billion",
                 "{company} posts {profit} bln profit, shares move",
                 "{company} CEO {person} says outlook steady after {quarter} quarter",
                 "{company} earnings {direction} {change} percent on year"],
    "flood": ["Floods in {country} kill {dead}, {missing} missing",
              "{river} river bursts banks near {city}; {dead} dead",
              "Thousands of homes under water as {river} floods {city}",
              "{country} flood toll rises to {dead}"],
    "court": ["{country} court jails {person} for {years} years over {charge}",
              "Former minister {person} sentenced to {years} years",
              "{person} convicted of {charge} in {amount} million case",
              "Court in {city} hands {person} {years}-year term"],
    "protest": ["Tens of thousands protest in {city} over {cause}",
                "{crowd} march against {cause} in {country}; {arrests} arrested",
                "Police detain {arrests} as {city} protest over {cause} turns tense",
                "{country} protesters fill streets of {city}, demand rethink of {cause}"],
}
L: dict[str, list[str]] = {
    "quake": ["An earthquake of magnitude {mag} struck {offshore} km off {city} on {day}, killing at least {dead} people and injuring {hurt}, officials said.",
              "At least {dead} people died when a strong earthquake shook {country} on {day}, the disaster agency said, with {hurt} others hurt.",
              "A magnitude {mag} quake rattled {city} and surrounding towns early on {day}, toppling buildings and leaving {dead} dead.",
              "Rescuers in {country} dug through collapsed homes after a {mag}-magnitude tremor at a depth of {depth} km killed {dead}."],
    "rates": ["The {bank} {move} its benchmark rate by {bp} basis points to {rate}% on {day}, governor {person} said.",
              "{country}'s central bank {move} interest rates to {rate}% on {day}, citing inflation of {inflation}%.",
              "Policymakers at the {bank} voted to move the key rate by {bp} basis points, taking it to {rate} percent.",
              "In a decision announced in {city} on {day}, the {bank} {move} borrowing costs to {rate}%."],
    "election": ["The {party} won {country}'s general election on {day} with {share}% of the vote, results showed.",
                 "{person}'s {party} claimed victory in {country} after taking {seats} seats, the election commission said.",
                 "Voters in {country} handed the {party} a clear win on {day}; turnout was {turnout}%.",
                 "{person} declared victory in {city} late on {day} as the {party} led with {share} percent."],
    "crash": ["A {company} plane carrying {aboard} people crashed near {city} on {day}, killing {dead}, officials said.",
              "Flight {flight} operated by {company} went down shortly after take-off from {city} with {aboard} people aboard.",
              "At least {dead} people were killed when a {company} passenger jet crashed in {country} on {day}.",
              "Emergency crews reached the wreckage of flight {flight} outside {city}, where {dead} people died."],
    "fire": ["A wildfire near {city} has burned {hectares} hectares and forced {evacuated} people from their homes, officials said on {day}.",
             "Some {firefighters} firefighters were battling a blaze in the {region} on {day} as strong winds fanned the flames.",
             "Authorities in {country} ordered {evacuated} residents to leave as a fire spread across {hectares} hectares near {city}.",
             "Flames swept through the {region} on {day}, {person} of the fire service said, with {evacuated} evacuated."],
    "strike": ["Members of {country}'s {union} began a {days}-day strike on {day}, demanding a pay rise of {pay}%.",
               "About {workers} workers walked out across {country} on {day} after talks with the government failed.",
               "The {union} said its {workers} members would strike for {days} days, union leader {person} told reporters in {city}.",
               "Services across {country} were halted on {day} as the {union} started a walkout over a {pay} percent pay claim."],
    "earnings": ["{company} said on {day} its {quarter}-quarter net profit {direction} {change}% to {profit} billion dollars.",
                 "{company} reported a {quarter}-quarter profit of {profit} billion, chief executive {person} said.",
                 "Net profit at {company} {direction} {change} percent in the {quarter} quarter, the {city}-based company said on {day}.",
                 "{company}'s earnings {direction} {change}% in the {quarter} quarter to {profit} billion, beating forecasts."],
    "flood": ["Floods in {country} have killed {dead} people and left {missing} missing after the {river} river burst its banks near {city}.",
              "The {river} river flooded {homes} homes around {city} on {day}, killing {dead}, the civil protection agency said.",
              "Rescuers searched for {missing} missing people on {day} after floods killed {dead} in {country}.",
              "At least {dead} people died as water from the {river} swept through towns near {city}, officials said on {day}."],
    "court": ["A court in {city} on {day} sentenced former minister {person} to {years} years in prison for {charge}.",
              "{person} was convicted of {charge} involving {amount} million dollars and jailed for {years} years, the court said.",
              "Judges in {country} found {person} guilty of {charge} on {day}, handing down a {years}-year sentence.",
              "Former minister {person} will serve {years} years after a {city} court ruled on a {amount} million {charge} case."],
    "protest": ["Tens of thousands of people marched through {city} on {day} to protest against {cause}, police said.",
                "About {crowd} demonstrators rallied in {country} on {day} against {cause}; police arrested {arrests}.",
                "Police in {city} detained {arrests} people as a protest against {cause} drew a crowd of {crowd}.",
                "Protesters filled central {city} on {day}, demanding the government drop {cause}, organiser {person} said."],
}
MORE: dict[str, list[str]] = {
    "quake": ["The quake's depth was {depth} km, the seismological agency said.",
              "{hurt} people were treated in hospitals, the health ministry said.",
              "Aftershocks continued through the morning.", "No tsunami warning was issued.",
              "Power was cut to parts of {city}.", "Prime minister {other} said rescue teams had been sent."],
    "rates": ["Inflation stood at {inflation}% last month.", "Most economists had expected the move.",
              "The currency moved after the announcement.", "{other}, an economist in {city}, said more moves were likely.",
              "The bank said it would watch wages and energy prices."],
    "election": ["Turnout was {turnout}%.", "The party won {seats} seats in parliament.",
                 "The outgoing leader {other} conceded defeat.", "Observers said the vote was orderly.",
                 "Coalition talks are expected to start next week."],
    "crash": ["There were {aboard} people on board.", "The cause of the crash was not known.",
              "The airline said it was cooperating with investigators.", "Transport minister {other} went to the site.",
              "The flight number was {flight}."],
    "fire": ["{firefighters} firefighters and water-bombing aircraft were deployed.",
             "No deaths were reported.", "Temperatures reached 41 degrees.",
             "Regional governor {other} declared a state of emergency.", "Roads out of {city} were closed."],
    "strike": ["The strike is expected to last {days} days.", "The government called the demands unaffordable.",
               "Minister {other} urged the union to return to talks.", "Commuters faced long delays.",
               "The union wants a {pay}% increase."],
    "earnings": ["Shares rose in early trading.", "Analysts had forecast a smaller profit.",
                 "The company kept its annual forecast.", "Finance chief {other} pointed to strong demand.",
                 "Revenue grew in every region."],
    "flood": ["{homes} homes were damaged.", "Rain is forecast to continue.", "The army was sent to help.",
              "Interior minister {other} visited shelters.", "Schools in {city} were closed."],
    "court": ["The defence said it would appeal.", "Prosecutors had asked for a longer term.",
              "The case involved {amount} million dollars.", "Co-defendant {other} was acquitted.",
              "The trial lasted eight months."],
    "protest": ["Police said {arrests} people were arrested.", "The government said it would not back down.",
                "Shops along the route closed early.", "Interior minister {other} called for calm.",
                "More rallies are planned for the weekend."],
}
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def write(rng: random.Random, event: Event, agency: str, at: datetime, *, flash: bool = False,
          follow_up: bool = False) -> dict[str, Any]:
    """One agency's story on an event, in that agency's own choice of words and facts."""
    facts = {**event.facts, "city": event.city, "country": event.country, "day": DAYS[at.weekday()]}
    if follow_up and "dead" in facts:  # the next day's toll is higher
        facts["dead"] = facts["dead"] + rng.randint(5, 60)
    headline = rng.choice(H[event.kind]).format(**facts)
    headline = headline[0].upper() + headline[1:]
    if flash:
        body = rng.choice(L[event.kind]).format(**facts)
        headline = ("FLASH: " if agency == "Reuters" else "BREAKING: ") + headline
        urgency = 1
    else:
        sentences = [rng.choice(L[event.kind])] + rng.sample(MORE[event.kind], 3)
        body = "\n".join(s.format(**facts) for s in sentences)
        urgency = rng.choice([2, 3, 4, 5])
    dateline = {"Reuters": f"{event.city.upper()} (Reuters)", "AP": f"{event.city.upper()} (AP)",
                "AFP": f"{event.city} (AFP)", "dpa": f"{event.city} (dpa)"}[agency]
    return {"agency": agency, "headline": headline, "body": body, "located": event.city,
            "dateline": dateline, "at": at.isoformat(), "urgency": urgency,
            "slugline": f"{event.kind.upper()}-{event.country.upper().replace(' ', '')}/" if agency == "Reuters" else None}


def build(seed: int = 18, events: int = 120) -> tuple[list[dict[str, Any]], list[tuple[int, int, bool, str]]]:
    """Stories and labelled pairs (index, index, same event?, what kind of pair)."""
    rng = random.Random(seed)
    kinds = list(H)
    made: list[Event] = []
    for number in range(events):
        city, country = rng.choice(PLACES)
        at = START + timedelta(hours=rng.randint(0, 24 * 20))
        made.append(make_event(rng, number, rng.choice(kinds), city, country, at))
    # Hard negatives: for some events, another event in the same place the same day, the
    # same kind elsewhere the same day, the same kind in the same place a day or four later.
    twins: list[tuple[Event, Event, str]] = []
    for event in list(made[:60]):
        number = len(made)
        choice = number % 3
        if choice == 0:
            other_kind = rng.choice([k for k in kinds if k != event.kind])
            twin = make_event(rng, number, other_kind, event.city, event.country,
                              event.at + timedelta(hours=rng.randint(1, 10)))
            label = "same place, other event"
        elif choice == 1:
            city, country = rng.choice([p for p in PLACES if p[1] != event.country])
            twin = make_event(rng, number, event.kind, city, country,
                              event.at + timedelta(hours=rng.randint(0, 8)))
            label = "same topic, other place"
        else:
            twin = make_event(rng, number, event.kind, event.city, event.country,
                              event.at + timedelta(hours=rng.choice([30, 40, 80, 100])))
            label = "same topic and place, other day"
        made.append(twin)
        twins.append((event, twin, label))
    stories: list[dict[str, Any]] = []
    by_event: dict[int, list[int]] = {}
    for event in made:
        tellers = rng.sample(AGENCIES, rng.randint(2, 4))
        for n, agency in enumerate(tellers):
            at = event.at + timedelta(minutes=rng.randint(0, 90) + 10 * n)
            if n == 0 and rng.random() < 0.4:  # the first agency flashes it, then writes it
                stories.append({**write(rng, event, agency, at, flash=True), "event": event.id})
                by_event.setdefault(event.id, []).append(len(stories) - 1)
                at += timedelta(minutes=rng.randint(5, 25))
            stories.append({**write(rng, event, agency, at), "event": event.id})
            by_event.setdefault(event.id, []).append(len(stories) - 1)
        if "dead" in event.facts and rng.random() < 0.3:  # the toll rises the next day
            stories.append({**write(rng, event, rng.choice(tellers), event.at + timedelta(
                hours=rng.randint(14, 30)), follow_up=True), "event": event.id})
            by_event.setdefault(event.id, []).append(len(stories) - 1)
    pairs: list[tuple[int, int, bool, str]] = []
    for members in by_event.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                same_agency = stories[a]["agency"] == stories[b]["agency"]
                pairs.append((a, b, True, "same agency, same event" if same_agency
                              else "other agency, same event"))
    for event, twin, label in twins:
        for a in by_event[event.id][:2]:
            for b in by_event[twin.id][:2]:
                pairs.append((a, b, False, label))
    # Unrelated stories of one agency, and random pairs of different events.
    for _ in range(120):
        a, b = rng.sample(range(len(stories)), 2)
        if stories[a]["event"] != stories[b]["event"]:
            kind = ("same agency, other event" if stories[a]["agency"] == stories[b]["agency"]
                    else "other event")
            pairs.append((a, b, False, kind))
    return stories, pairs


def main() -> None:
    stories, pairs = build()
    used = sorted({i for a, b, *_ in pairs for i in (a, b)})
    index = {old: new for new, old in enumerate(used)}
    out = sys.stdout
    for old in used:
        story = stories[old]
        out.write(json.dumps({"story": index[old], **story}, ensure_ascii=False) + "\n")
    for a, b, same, kind in pairs:
        out.write(json.dumps({"pair": [index[a], index[b]], "same": same, "kind": kind}) + "\n")


if __name__ == "__main__":
    main()


def ninjs(story: dict[str, Any], uri: str) -> bytes:
    """A corpus story as an agency's ninjs item, for delivery through the desk."""
    paragraphs = "".join(f"<p>{line}</p>" for line in story["body"].split("\n"))
    item: dict[str, Any] = {
        "uri": uri, "version": "1", "headlines": [{"role": "main", "value": story["headline"]}],
        "bodies": [{"role": "main", "contenttype": "text/html", "value": paragraphs}],
        "infosources": [{"name": story["agency"], "role": "originator"}],
        "firstcreated": story["at"], "versioncreated": story["at"], "urgency": story["urgency"],
        "located": story["located"], "language": "en",
    }
    if story.get("slugline"):
        item["slugline"] = story["slugline"]
    return json.dumps(item).encode()


def load(path: Any) -> tuple[dict[int, dict[str, Any]], list[dict[str, Any]]]:
    """The labelled set: stories by number, and pairs."""
    found: dict[int, dict[str, Any]] = {}
    pairs: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if "story" in record:
                found[record["story"]] = record
            else:
                pairs.append(record)
    return found, pairs
