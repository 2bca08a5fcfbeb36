"""Reference data of the generator: pages as eventsim logs them, word lists, places, agents.

Only data, no behaviour. The names are invented; the places are real (artist cities,
and US Census metro-area titles as eventsim writes user locations).
"""

from __future__ import annotations

import string

SECONDS_PER_DAY = 86_400

# --- Pages -------------------------------------------------------------------

NEXT_SONG = "NextSong"
# page -> (method, status), as eventsim logs them.
PAGE_REQUESTS: dict[str, tuple[str, int]] = {
    "NextSong": ("PUT", 200),
    "Home": ("GET", 200),
    "Login": ("PUT", 307),
    "Logout": ("PUT", 307),
    "Settings": ("GET", 200),
    "Save Settings": ("PUT", 307),
    "Add to Playlist": ("PUT", 200),
    "Add Friend": ("PUT", 307),
    "Thumbs Up": ("PUT", 307),
    "Thumbs Down": ("PUT", 307),
    "Help": ("GET", 200),
    "About": ("GET", 200),
    "Upgrade": ("GET", 200),
    "Submit Upgrade": ("PUT", 307),
    "Downgrade": ("GET", 200),
    "Submit Downgrade": ("PUT", 307),
    "Error": ("GET", 404),
    "Cancel": ("PUT", 307),
    "Cancellation Confirmation": ("GET", 200),
}
LOGGED_OUT_PAGES = ("Home", "Login", "About", "Help")
# Pages of a logged-in session between its special events. "Plan" stands for
# Upgrade (free users) or Downgrade (paid users) viewed without submitting.
MIDDLE_PAGE_WEIGHTS: dict[str, float] = {
    "NextSong": 0.900,
    "Home": 0.025,
    "Thumbs Up": 0.025,
    "Add to Playlist": 0.013,
    "Add Friend": 0.009,
    "Thumbs Down": 0.007,
    "Plan": 0.007,
    "Settings": 0.005,
    "Help": 0.005,
    "About": 0.002,
    "Error": 0.002,
}
LOGGED_OUT_PRELUDES = (
    ("Login",),
    ("Home", "Login"),
    ("Home", "About", "Login"),
    ("Home", "Help", "Login"),
)
LEVEL_PLANS = ("free->paid", "paid->free", "free->paid->free", "paid->free->paid")

# --- Word lists (invented names; real place names only for locations) -------


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES_F = words(
    "Abigail Alice Amara Anna Aubrey Beatrix Bianca Camila Chloe Clara Daisy Delia Eleanor Elena "
    "Eliza Emma Esther Fiona Freya Gemma Grace Hannah Harper Hazel Iris Isla Ivy Jade Julia June "
    "Keira Layla Leah Lena Lily Lucia Lydia Mabel Maya Mia Nadia Naomi Nora Olive Paige Piper "
    "Quinn Rosa Ruby Sadie Sara Sienna Sofia Stella Tessa Vera Violet Willa Zara Zoe"
)
FIRST_NAMES_M = words(
    "Aaron Adrian Alex Andre Arlo Arthur Axel Ben Caleb Carter Cole Damian Dexter Eli Ellis Emil "
    "Ezra Felix Finn Gabriel Gus Harvey Hugo Ian Isaac Jack Jasper Jonah Jude Kai Leo Levi Liam "
    "Luca Marcus Mason Milo Nate Nico Noah Oscar Otto Owen Paul Quentin Reid Rhys Roman Rory "
    "Ryan Sam Silas Theo Tobias Tristan Victor Wade Wes Xavier Zane"
)
LAST_NAMES = words(
    "Abbott Alder Ashby Barlow Beckett Bellamy Blackwood Bramble Calloway Carver Cole Crane "
    "Dalton Darrow Eastwood Ellery Fairbanks Fenwick Finch Forsythe Garrity Goodwin Hale Harlow "
    "Hartley Holloway Ingram Jarvis Keane Kendrick Langley Larkin Lowell Lyle Maddox Marlow "
    "Mercer Merritt Nash Norwood Oakley Orton Pace Pemberton Quill Radford Reyes Rowan Sawyer "
    "Sinclair Spencer Stroud Thorne Tolliver Underwood Vance Voss Wilder Winslow Wren Yardley "
    "Yates Zeller"
)
ADJECTIVES = words(
    "Velvet Electric Silent Golden Paper Neon Hollow Crimson Lonely Wild Broken Midnight Copper "
    "Silver Amber Crystal Restless Sleepy Distant Burning Frozen Gentle Hidden Lucky Northern "
    "Painted Quiet Rusty Secret Static Sunday Tender Violet Wandering Young Bright Cosmic Dusty "
    "Endless Faded Glass Honey Indigo Jade Kinetic Lunar Marble Nomad Orange Pale Radiant Salty "
    "Tidal Urban Vivid Wooden Yellow Hazy Savage Modern"
)
BAND_NOUNS = words(
    "Foxes Lanterns Rivers Engines Saints Wolves Harbors Pilots Ghosts Satellites Horses Echoes "
    "Mirrors Sparrows Tigers Orchids Comets Sailors Thieves Dreamers Kings Shadows Machines "
    "Parades Gardens Bandits Islands Strangers Voices Wires Magnets Arrows Owls Lions Cowboys "
    "Drifters Monarchs Rockets Pilgrims Tramps"
)
TITLE_NOUNS = words(
    "Heart Road Summer Rain Fire Light Night City Ocean Train Window River Letter Highway Garden "
    "Moon Morning Thunder Dance Song Kiss Storm Ghost Shadow Mountain Island Dream Mirror Radio "
    "Telephone Harbor Winter Sugar Diamond Satellite Lullaby Carousel Avenue Paradise Echo Wire "
    "Compass Feather Lantern Horizon Engine Valley Weekend Motel Skyline"
)
VERBS = words(
    "Chase Follow Burn Hold Remember Forget Catch Leave Light Wake Save Call Break Carry Find "
    "Lose Hide Free Kiss Hear"
)
# Invented names with non-ASCII letters: the logs garble these (double mojibake).
NON_ASCII_ARTISTS = (
    "Café Nebulosa",
    "Los Tigres de Añil",
    "Zoë Marchetti",
    "Ólafur Stjarna",
    "Mañana Eléctrica",
    "Hélène et les Rivières",
    "Jörg Sänger Trio",
    "Søren Blåhvid",
    "Ümit Güneşli",
    "Łukasz Wiatrak",
    "Çağla Deniz & Band",
    "Дмитрий Облаков",
    "Hoshizora 夜の港",
    "Ñandú Quartet",
    "Aurélie Fontaine",
    "Böhm & Kästner",
)
NON_ASCII_TITLES = (
    "Canción del Río",
    "Über den Dächern",
    "Pequeña Lluvia",
    "Noite de São João",
    "Fiancée du Désert",
    "Tschüss Sommer",
    "Días Azules",
    "Ça Tourne",
    "Mélodie Perdue",
    "Señorita Nube",
    "Smörgåsbord Blues",
    "Naïve Hearts",
    "Crème Brûlée Rain",
    "Ελαφρύ Φως",
    "夜明けの歌",
    "Café für Zwei",
)
# A title whose correct form ends in "à": its double mojibake ends in U+00A0, which
# str.strip() would wrongly remove before the encoding is repaired.
TITLE_ENDING_IN_A_GRAVE = "Reste Là"
TITLES_WITH_EDGE_SPACES = (" Paper Lanterns", "Slow Tide ", " Ghost Harbor ")
ARTIST_LOCATIONS: tuple[tuple[str, float, float], ...] = (
    ("Memphis, TN", 35.14968, -90.04892),
    ("Nashville, TN", 36.16778, -86.77836),
    ("Austin, TX", 30.26759, -97.74299),
    ("Chicago, IL", 41.88415, -87.63241),
    ("Detroit, MI", 42.33168, -83.04792),
    ("Seattle, WA", 47.60356, -122.32944),
    ("Brooklyn, NY", 40.65507, -73.94888),
    ("Los Angeles, CA", 34.05349, -118.24532),
    ("Atlanta, GA", 33.74831, -84.39111),
    ("New Orleans, LA", 29.95369, -90.07771),
    ("Minneapolis, MN", 44.97903, -93.26493),
    ("Portland, OR", 45.51179, -122.67563),
    ("London, England", 51.50632, -0.12714),
    ("Manchester, England", 53.47910, -2.24887),
    ("Glasgow, Scotland", 55.85720, -4.24460),
    ("Dublin, Ireland", 53.34376, -6.24953),
    ("Berlin, Germany", 52.51607, 13.37698),
    ("Paris, France", 48.85692, 2.34121),
    ("Stockholm, Sweden", 59.33217, 18.06243),
    ("Toronto, Ontario, Canada", 43.64856, -79.38533),
    ("Melbourne, Australia", -37.81753, 144.96715),
    ("Kingston, Jamaica", 17.99702, -76.79358),
    ("São Paulo, Brazil", -23.56288, -46.65466),
    ("Montréal, Québec", 45.51228, -73.55439),
    ("Reykjavík, Iceland", 64.13548, -21.89541),
    ("Zürich, Switzerland", 47.37689, 8.54169),
    ("Malmö, Sweden", 55.60498, 13.00382),
    ("Ciudad de México", 19.43261, -99.13321),
)
# Metro areas as eventsim writes them: Census CBSA titles with their state codes.
USER_LOCATIONS = (
    "New York-Newark-Jersey City, NY-NJ-PA",
    "Los Angeles-Long Beach-Anaheim, CA",
    "Chicago-Naperville-Elgin, IL-IN-WI",
    "Dallas-Fort Worth-Arlington, TX",
    "Houston-The Woodlands-Sugar Land, TX",
    "Washington-Arlington-Alexandria, DC-VA-MD-WV",
    "Miami-Fort Lauderdale-West Palm Beach, FL",
    "Philadelphia-Camden-Wilmington, PA-NJ-DE-MD",
    "Atlanta-Sandy Springs-Roswell, GA",
    "Boston-Cambridge-Newton, MA-NH",
    "Phoenix-Mesa-Scottsdale, AZ",
    "San Francisco-Oakland-Hayward, CA",
    "Riverside-San Bernardino-Ontario, CA",
    "Detroit-Warren-Dearborn, MI",
    "Seattle-Tacoma-Bellevue, WA",
    "Minneapolis-St. Paul-Bloomington, MN-WI",
    "San Diego-Carlsbad, CA",
    "Tampa-St. Petersburg-Clearwater, FL",
    "Denver-Aurora-Lakewood, CO",
    "St. Louis, MO-IL",
    "Baltimore-Columbia-Towson, MD",
    "Charlotte-Concord-Gastonia, NC-SC",
    "Orlando-Kissimmee-Sanford, FL",
    "San Antonio-New Braunfels, TX",
    "Portland-Vancouver-Hillsboro, OR-WA",
    "Sacramento--Roseville--Arden-Arcade, CA",
    "Pittsburgh, PA",
    "Las Vegas-Henderson-Paradise, NV",
    "Cincinnati, OH-KY-IN",
    "Kansas City, MO-KS",
    "Columbus, OH",
    "Indianapolis-Carmel-Anderson, IN",
    "Cleveland-Elyria, OH",
    "San Jose-Sunnyvale-Santa Clara, CA",
    "Nashville-Davidson--Murfreesboro--Franklin, TN",
    "Virginia Beach-Norfolk-Newport News, VA-NC",
    "Providence-Warwick, RI-MA",
    "Milwaukee-Waukesha-West Allis, WI",
    "Jacksonville, FL",
    "Memphis, TN-MS-AR",
    "Louisville/Jefferson County, KY-IN",
    "Salt Lake City, UT",
    "Raleigh, NC",
    "New Orleans-Metairie, LA",
    "Winston-Salem, NC",
    "Urban Honolulu, HI",
)
# (weight, user agent): desktop browsers on Windows, macOS and Linux, then phones
# and tablets on iOS and Android.
USER_AGENTS: tuple[tuple[int, str], ...] = (
    (
        14,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/70.0.3538.77 Safari/537.36",
    ),
    (
        8,
        "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/69.0.3497.100 Safari/537.36",
    ),
    (6, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:63.0) Gecko/20100101 Firefox/63.0"),
    (3, "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:60.0) Gecko/20100101 Firefox/60.0"),
    (
        5,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/64.0.3282.140 Safari/537.36 Edge/17.17134",
    ),
    (4, "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko"),
    (1, "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; WOW64; Trident/6.0)"),
    (
        7,
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/12.0.1 Safari/605.1.15",
    ),
    (
        7,
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/70.0.3538.77 Safari/537.36",
    ),
    (2, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.13; rv:63.0) Gecko/20100101 Firefox/63.0"),
    (2, "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:63.0) Gecko/20100101 Firefox/63.0"),
    (
        2,
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/70.0.3538.77 Safari/537.36",
    ),
    (
        9,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 12_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/12.0 Mobile/15E148 Safari/604.1",
    ),
    (
        2,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 12_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) CriOS/70.0.3538.75 Mobile/15E148 Safari/605.1",
    ),
    (
        6,
        "Mozilla/5.0 (Linux; Android 8.1.0; Pixel 2) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/70.0.3538.80 Mobile Safari/537.36",
    ),
    (
        5,
        "Mozilla/5.0 (Linux; Android 8.0.0; SM-G960F Build/R16NW) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/62.0.3202.84 Mobile Safari/537.36",
    ),
    (1, "Mozilla/5.0 (Android 8.0.0; Mobile; rv:63.0) Gecko/63.0 Firefox/63.0"),
    (
        3,
        "Mozilla/5.0 (iPad; CPU OS 12_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/12.0 Mobile/15E148 Safari/604.1",
    ),
    (
        2,
        "Mozilla/5.0 (Linux; Android 7.0; SM-T580) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/70.0.3538.80 Safari/537.36",
    ),
)

ID_CHARS = string.ascii_uppercase + string.digits
