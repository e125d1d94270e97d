"""Reading a petition's text: numbers however they are written, the named things it is about, the people it
names. Pure functions, no database."""
import pytest

from county_net.repeats.text import cn_number, mask_name, read


@pytest.mark.parametrize("text,value", [
    ("二十五", 25), ("四十一万六千", 416000), ("两万七", 27000), ("1.2万", 12000), ("2万8千", 28000),
    ("六十万", 600000), ("三千五", 3500), ("一万二", 12000), ("一百二十", 120), ("叁万伍仟", 35000),
    ("二〇二三", 2023), ("十三", 13), ("41.6", 41.6),
])
def test_chinese_numerals_and_colloquial_forms(text, value):
    assert cn_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text,kind,value", [
    ("承包地二十五亩被占", "area_mu", 25), ("承包地25亩被占", "area_mu", 25),
    ("补偿款六十万一直没给", "money", 600000), ("补偿款60万元一直没给", "money", 600000),
    ("每斤补贴五角", "money", 0.5), ("每斤补贴0.5元", "money", 0.5), ("三块五一斤", "money", 3.5),
    ("还差着2万8千多", "money", 28000), ("诚意金叁万伍仟元整", "money", 35000),
    ("房屋86平方米", "area_m2", 86), ("2023年下半年", "year", 2023), ("二〇二三年", "year", 2023),
])
def test_amounts_with_units_whichever_way_they_are_written(text, kind, value):
    amounts = read(text).amounts
    assert any(abs(v - value) < 1e-6 for v in amounts.get(kind, ())), amounts


def test_words_that_only_look_like_numbers_are_not_amounts():
    assert read("一直十分困难，万一再拖，千万别不管").amounts == {}


def test_named_things_meet_in_short_and_long_form():
    long = read("清溪县宏达建筑工程有限公司承建的县医院住院楼项目拖欠工资").objects
    short = read("宏达建筑欠的工钱").objects | read("宏达公司欠的工钱").objects
    assert long["宏达"] == "company" and "宏达" in short
    assert read("城关镇锦绣华庭小区2栋业主").objects == read("锦绣华庭的业主").objects == {"锦绣": "estate"}
    assert read("翠湖湾小区物业公司乱收费").objects == {"翠湖湾": "estate"}  # 物业公司 names no one
    assert read("学校不让入学").objects == {}  # a bare 学校 names nothing


def test_people_named_in_the_text_and_for_whom_it_is_told():
    reading = read("我父亲王某兵去年来反映过二十五亩地的事")
    assert reading.names == {"王某兵"} and reading.relative_named
    assert read("刘某强等二十三名农民工").names == {"刘某强"}
    assert mask_name("王建兵") == "王某兵" == mask_name("王某兵") and mask_name("王兵") == "王某"
    assert mask_name("匿名-1") is None


def test_boilerplate_is_not_a_word_of_the_matter():
    words = read("反映：要求有关部门尽快解决问题，至今没有落实").word_set
    assert not words & {"反映", "要求", "有关部门", "解决", "问题", "至今", "没有", "落实"}
