"""explorer.world: the shipped Natural Earth outline, decoded and projected for the map."""

import re

from explorer import world


def test_every_state_of_the_article_has_an_outline_and_a_centre():
    centres = world.centres()
    for code in ("PRK", "RUS", "UKR", "USA", "SYR", "LBY", "IRN"):
        x, y = centres[code]
        assert 0 <= x <= world.WIDTH and 0 <= y <= world.HEIGHT, code


def test_centres_fall_where_the_countries_lie():
    centres = world.centres()
    # West to east and north to south as on any map: the United States, Libya, Syria, Iran, North Korea.
    xs = [centres[code][0] for code in ("USA", "LBY", "SYR", "IRN", "PRK")]
    assert xs == sorted(xs)
    assert centres["RUS"][1] < centres["UKR"][1] < centres["LBY"][1]


def test_no_outline_is_drawn_across_the_whole_map():
    # A ring cut at the antimeridian, drawn as it comes, would streak from one edge to the other.
    for country in world.countries():
        for ring in re.findall(r"M([^Z]+)Z", country.path):
            xs = [float(point.split(",")[0]) for point in ring.split("L")]
            steps = [abs(b - a) for a, b in zip(xs, xs[1:], strict=False)]
            assert max(steps, default=0) < world.WIDTH / 2, country.name


def test_each_country_with_an_iso_number_gets_its_alpha3_code():
    codes = [country.iso3 for country in world.countries()]
    assert len(codes) == 177
    assert sum(1 for code in codes if not code) == 3  # N. Cyprus, Somaliland, Kosovo: no ISO number
    assert len(set(codes) - {""}) == 174
