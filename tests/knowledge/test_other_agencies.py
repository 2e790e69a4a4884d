"""A question about another department's business is told so (referrals.yml other_agencies)."""

from __future__ import annotations

import pytest

from knowledge.store import get_store


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("农村养老保险每个月能领多少", "human-resources"),  # "养老" inside "养老保险"
        ("孩子落户需要带什么材料", "public-security"),
        ("个人所得税怎么退", "tax"),
        ("大乐透中了怎么兑", "sports-lottery"),
        ("消费者协会的电话是多少", "market-regulation"),  # "协会" inside "消费者协会"
        ("转业干部的安置政策是什么", "veterans"),
        ("退役军人优待证怎么申领", "veterans"),  # "优待证" inside "退役军人优待证"
        ("困难职工帮扶怎么申请", "trade-union"),
        ("网约车司机证怎么考", "transport"),
        ("旅行社不退团费怎么办", "culture-tourism"),
        ("烟花爆竹什么时候可以放", "emergency"),
        ("附近工厂偷排废水向哪举报", "ecology"),
        ("楼下违章搭建找谁", "city-management"),
        ("买到过期食品怎么投诉", "market-regulation"),
        ("烟草证怎么办理", "tobacco"),
        ("伤残等级鉴定去哪做", "human-resources"),
        # subsidies other departments pay: "补贴" alone is nobody's (vague_words)
        ("今年的高温补贴什么时候发", "human-resources"),
        ("农机购置补贴多久到账", "agriculture"),
        ("贫困生助学金怎么申请", "education"),  # "贫困" inside "贫困生"
        ("危房改造补助标准是多少", "housing"),
        ("我想捐骨髓", "health"),  # "捐" inside "捐骨髓": not a charity gift
        ("我要捐献遗体", "health"),  # "遗体" inside "捐献遗体"
        ("高考志愿怎么填比较好", "education"),  # "志愿" inside "高考志愿"
        ("志愿军老兵有什么优待", "veterans"),
    ],
)
def test_another_departments_words_name_that_department(text: str, agency: str) -> None:
    pointer = get_store().other_agency_for(text)
    assert pointer is not None and pointer.agency == agency
    assert "12345" in pointer.contact_line()


@pytest.mark.parametrize(
    "text",
    [
        "退休人员能申请低保吗",  # one word each: a tie stays with civil affairs
        "养老院消防检查不合格怎么办",  # "养老" inside "养老院": one word each
        "低保户看病医保报完还要自己出很多钱怎么办",  # "医保" inside "医保报完"
        "结婚登记要带户口本吗",
        "明天杭州天气怎么样",
        "退役军人家属去世了殡葬费用减免吗",  # two funeral words against one
        "困难职工家里揭不开锅能申请低保吗",  # one union word against two of 低保's
        "志愿者参加景区服务算志愿时长吗",
        "烈士陵园旁边的公墓多少钱",
        "残疾人两项补贴怎么申请",
        "住房救助是住建管还是民政管",  # "救助" inside "住房救助": one word each
        "低保家庭的孩子上大学有助学金吗",  # 低保 names our business: a tie stays ours
    ],
)
def test_civil_affairs_questions_stay_ours(text: str) -> None:
    assert get_store().other_agency_for(text) is None


def test_a_civil_word_inside_a_longer_one_of_its_topic_counts_once() -> None:
    # 新农合 and 医保 against 大病救助 (救助 inside it is the same mention): two against one.
    pointer = get_store().other_agency_for("新农合医保报销完了怎么申请大病救助")
    assert pointer is not None and pointer.agency == "medical-insurance"


def test_the_general_topic_never_outweighs_another_department() -> None:
    # "补贴" is the bureau's general word; "育儿补贴" is the health commission's business.
    pointer = get_store().other_agency_for("二孩育儿补贴怎么领")
    assert pointer is not None and pointer.agency == "health"


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("离婚后孩子的抚养费给多少", "courts"),  # 离婚 is shared, 抚养费 is the court's own
        ("工亡职工的抚恤金怎么算", "human-resources"),  # 抚恤金 is shared, 工亡 is not
        ("公益献血有什么要求", "health"),
        ("人死后遗产怎么继承", "courts"),  # 死后 is shared, 继承 is the court's own
    ],
)
def test_in_a_tie_the_side_with_its_own_business_word_wins(text: str, agency: str) -> None:
    pointer = get_store().other_agency_for(text)
    assert pointer is not None and pointer.agency == agency


@pytest.mark.parametrize(
    "text",
    [
        "离婚带户口本吗",  # shared against shared: civil affairs
        "低保户买车有影响吗",  # own business against shared
        "领取高龄津贴和养老金冲突吗",  # own business against own business
        "父母的墓地子女可以继承吗",  # 墓地 is funeral's own business, 继承 the court's
    ],
)
def test_a_tie_without_more_own_business_words_stays_ours(text: str) -> None:
    assert get_store().other_agency_for(text) is None
