"""Read a free-text SMS from a resident or a volunteer.

``parse_sms(text, gazetteer, today)`` returns exactly::

    {"intent": "help_request"|"accept"|"decline"|"done"|"cancel"|"stop"|"start"|"help"|"unknown",
     "kind": KEY|None, "commune": NAME|None, "hamlet": NAME|None,
     "when": {"day": "YYYY-MM-DD"|None, "part": "morning"|"afternoon"|"evening"|None},
     "codes": [LETTER, ...]}

``codes`` are the letters of the visits a volunteer's answer names ("1B", "XONG B"; see
``notifications.reply_codes``); the answer's action is then the intent.

Pure: the gazetteer (commune -> hamlets, names as stored) and ``today`` are given. Text may
come with or without diacritics, NFC or NFD, with shorthand (ko, k, dc, đc, e, a, c, giup,
gium) and typos. The intent is read in this order: a keyword message (alone, polite words
aside); a cancellation (huỷ, không cần nữa, thôi khỏi); "done" (xong, hoàn thành) when no
kind of help is named or the message opens as a report ("xong rồi, ...", "đã hỗ trợ xong");
a volunteer passing the visit on ("nhờ người khác"), a decline; an advertisement (a phone
number to call, a prize or a loan, nobody speaking for themselves) or a question after a
fact ("vneid là gì", "mất bao lâu") with no plea or "how", unknown; a request (a kind of
help or a verb like giúp, cần, nhờ); a short yes/no answer; a message giving only a hamlet
or a time (a dialogue answer) is a request too, unless it is small talk (a price, a power
cut).
"""

from __future__ import annotations

import re
from datetime import date

from notifications.kind_words import find_kind
from notifications.lexicon import (
    OFFER_TO_COME,
    POLITE,
    Token,
    expand,
    find_phrase,
    has_diacritics,
    key_of,
    osa_distance,
    tokenize,
)
from notifications.places import Gazetteer, find_place
from notifications.reply_codes import read_codes
from notifications.when import read_when

INTENTS = (
    "help_request",
    "accept",
    "decline",
    "done",
    "cancel",
    "stop",
    "start",
    "help",
    "unknown",
)


def _table(intent: str, *phrases: str) -> dict[str, str]:
    return {" ".join(expand(key_of(p).split())): intent for p in phrases}


# Whole-message keywords (after polite words are set aside).
KEYWORDS: dict[str, str] = {
    **_table("accept", "1", "ok", "có", "nhận", "đồng ý", "được", "dạ", "dạ nhận", "nhận việc",
             "đồng ý nhận", "yes", "accept"),
    **_table("decline", "2", "không", "ko", "bận", "bận rồi", "từ chối", "không nhận",
             "không được", "không đi được", "no", "decline"),
    **_table("done", "xong", "đã xong", "hoàn thành", "đã hoàn thành", "xong rồi", "done"),
    **_table("cancel", "huỷ", "huỷ hẹn", "huỷ lịch", "huỷ lịch hẹn", "không cần nữa", "cancel"),
    **_table("stop", "stop", "dừng", "ngừng", "dừng lại", "dừng nhắn tin", "dừng gửi tin",
             "ngừng nhắn tin", "ngừng gửi tin", "huỷ đăng ký"),
    **_table("start", "start", "bắt đầu", "bắt đầu lại", "đăng ký lại", "unstop"),
    **_table("help", "help", "trợ giúp"),
}  # fmt: skip
REQUEST_VERBS = [key_of(p).split() for p in ("giúp", "cần", "nhờ", "hỗ trợ", "hướng dẫn")]
ACCEPT_WORDS = {"1", "ok", "co", "nhan", "duoc", "da", "yes"}
DECLINE_WORDS = {"2", "khong", "ban"}
#: A refusing "không" stands alone or negates coming or being free ("không được", "ko kịp");
#: before another verb it only negates that verb ("lâu quá không gặp": long time no see).
REFUSED_AFTER_KHONG = {"", "duoc", "di", "nhan", "kip", "ranh", "tien", "the", "co", "qua", "toi"}
SHORT_ANSWER = 6  # words; longer texts are not yes/no answers
#: Words that name a person when they follow "chào" or come before "ơi" ("chào cô", "bạn ơi"):
#: then "cô" is no "có" (yes) and "bạn" no "bận" (busy).
ADDRESS_WORDS = {key_of(w) for w in "anh chị cô chú bác em e ông bà bạn dì cậu c".split()}
QUESTION_PHRASES = [key_of(p).split() for p in ("bao nhiêu", "mấy giờ", "thế nào", "sao")]
#: Small talk that names a time but answers no question of ours: "chiều nay cúp điện hả";
#: so does a message opening with "giá" (the price of): "giá tôm hôm nay mấy".
SMALL_TALK = [key_of(p).split() for p in ("cúp điện", "cắt điện", "mất điện", "trời mưa")]
#: Accented words that fold onto a request verb but are not one: "nhớ" (miss, remember).
NOT_A_REQUEST_VERB = {"nhớ", "nhỏ"}
NOT_QUESTION_END = ACCEPT_WORDS | DECLINE_WORDS | {"di", "lam", "can"}
#: "nhờ / để / nhường người khác": a volunteer handing the visit on (when no help is named).
PASS_ON = [[verb, who, "khac"] for verb in ("nho", "de", "nhuong") for who in ("nguoi", "ai")]
#: An advertisement or a prize text carries a number to call and one of these words...
PHONE_NUMBER = re.compile(r"(?<!\d)(?:\+84|84|0)(?:[ .]?\d){8,10}(?!\d)")
ADVERT_WORDS = [
    key_of(p).split()
    # Not "miễn phí": residents ask whether a visit is free.
    for p in ("quý khách", "thuê bao", "trúng thưởng", "nhận giải", "khuyến mãi", "ưu đãi",
              "giải ngân", "thế chấp", "lãi suất")
]  # fmt: skip
#: ...and nobody speaking for themselves: "tôi nhận tin trúng thưởng..." is a resident asking.
FIRST_PERSON = {key_of(w) for w in "tôi tui mình em e con cháu".split()}
#: A question after a fact names a kind but asks for no visit: "vneid là gì", "khai sinh
#: online mất bao lâu", "momo có mất phí không"; so does a remark ending in "hả"...
FACT_QUESTIONS = [
    key_of(p).split() for p in ("là gì", "bao lâu", "bao nhiêu", "mất phí", "tốn phí", "có phí")
]
#: ...unless the writer also asks how, or for help: "sổ sức khỏe là gì, tui muốn coi".
ASKING_HOW = REQUEST_VERBS + [
    key_of(p).split()
    for p in ("muốn", "sao", "cách", "chỉ", "có ai", "không biết", "thế nào", "được không")
]
#: A resident calling the visit off ("huỷ" is matched alone).
CALL_OFF = [key_of(p).split() for p in ("không cần nữa", "thôi khỏi", "khỏi cần")]
#: Unaccented "nho" before "nhiều" or "ghê" is "nhớ" (miss): "nho con nhieu lam".
MISSING_AFTER = {"nhieu", "ghe"}


def _keyword_intent(words: list[str]) -> str | None:
    content = [w for w in words if w not in POLITE] or words
    if content and content[0] in {"dung", "ngung"} and "tin" in content[1:5]:
        return "stop"  # "dừng gửi tin nhắn nữa", "ngưng nhắn tin cho tôi"
    core = " ".join(content)
    if core in KEYWORDS:
        return KEYWORDS[core]
    if len(core) >= 5:
        close = [k for k in KEYWORDS if len(k) >= 5 and osa_distance(core, k, 1) <= 1]
        if len({KEYWORDS[k] for k in close}) == 1:
            return KEYWORDS[close[0]]
    return None


def _yes_no(words: list[str]) -> str | None:
    content = [w for w in _without_phrase(words, ["xin", "loi"]) if w not in POLITE]
    if not content or len(content) > SHORT_ANSWER:
        return None
    if content[-2:] == ["duoc", "khong"]:
        return None  # "... được không": a question, not a refusal
    if any(find_phrase(content, ["khong", w]) is not None for w in ("hieu", "biet", "ai")):
        return None  # "không hiểu / không biết / không ai": lost or complaining, not declining
    if find_phrase(content, ["nao", "cung", "duoc"]) is not None:
        return None  # "chiều nào cũng được": any time suits, an answer about the time
    refusing = [
        w for i, w in enumerate(content) if w != "khong" or _next(content, i) in REFUSED_AFTER_KHONG
    ]
    if DECLINE_WORDS & set(refusing) or find_phrase(content, ["tu", "choi"]) is not None:
        return "decline"
    offers = [*OFFER_TO_COME, ["dong", "i"]]  # "để em qua" is read with "em" in it
    if ACCEPT_WORDS & set(content) or any(find_phrase(words, p) is not None for p in offers):
        return "accept"
    return None


def _without_phrase(words: list[str], phrase: list[str]) -> list[str]:
    start = find_phrase(words, phrase)
    return words if start is None else words[:start] + words[start + len(phrase) :]


def _asks_a_fact(words: list[str]) -> bool:
    """ "vneid là gì vậy", "lừa đảo qua mạng nhiều quá hả": a question or a remark about a
    kind of help, with no word asking how or asking for help."""
    if any(find_phrase(words, p) is not None for p in ASKING_HOW):
        return False
    if any(find_phrase(words, p) is not None for p in FACT_QUESTIONS):
        return True
    return words[-1:] == ["ha"] and not FIRST_PERSON & set(words)


def _reports_done(words: list[str]) -> bool:
    """A volunteer's report names the help done: "xong rồi, chú cài được vneid rồi", "đã hỗ
    trợ xong, bà đóng được tiền điện"; "làm xong vneid mà không vào được" is no report."""
    content = [w for w in words if w not in POLITE]
    if "xong" not in content:
        return False
    at = content.index("xong")
    return at == 0 or content[0] == "da" or content[at + 1 : at + 2] == ["roi"]


def _intent_key(tokens: list[Token], keys: list[str], i: int) -> str:
    if keys[i] == "nho" and MISSING_AFTER & set(keys[i + 1 : i + 3]):
        return "nhớ"  # "nho con nhieu lam": miss, whatever the accents
    return tokens[i].orig if tokens[i].orig in NOT_A_REQUEST_VERB else keys[i]


def _next(words: list[str], i: int) -> str:
    return words[i + 1] if i + 1 < len(words) else ""


def _is_small_talk(words: list[str]) -> bool:
    content = [w for w in words if w not in POLITE]
    price = content[:1] == ["gia"] and content[1:2] not in (["han"], ["dinh"])  # gia hạn, gia đình
    return price or any(find_phrase(content, t) is not None for t in SMALL_TALK)


def _without_addresses(words: list[str]) -> list[str]:
    return [
        w
        for i, w in enumerate(words)
        if not (
            w in ADDRESS_WORDS
            and ((i > 0 and words[i - 1] == "chao") or words[i + 1 : i + 2] == ["oi"])
        )
    ]


def _is_question(words: list[str], question_mark: bool) -> bool:
    """A question that asks for no help (prices, weather, opening hours): "giá lúa hôm nay
    bao nhiêu", "mai có mưa không?". "... được không" asks whether a time suits: an answer."""
    content = [w for w in words if w not in POLITE]
    if not content or content[-2:] == ["duoc", "khong"]:
        return False
    if question_mark or any(find_phrase(content, q) is not None for q in QUESTION_PHRASES):
        return True
    if content[-1] in {"khong", "chua"} and len(content) >= 3:
        # "có ... không/chưa" is the yes-no question; so is "<word> không" ("nhiều không")
        # unless the word is itself an answer ("bận, không", "đi không").
        return "co" in content[:-2] or content[-2] not in NOT_QUESTION_END
    return False


def _is_advert(text: str, words: list[str]) -> bool:
    return (
        PHONE_NUMBER.search(text) is not None
        and any(find_phrase(words, w) is not None for w in ADVERT_WORDS)
        and not FIRST_PERSON & set(words)  # "hỗ trợ vay", "không cần thế chấp" ask nothing
    )


def _intent(
    words: list[str],
    kind: str | None,
    has_place_or_time: bool,
    question_mark: bool = False,
    advert: bool = False,
) -> str:
    keyword = _keyword_intent(words)
    if keyword is not None:
        return keyword
    if "hui" in words or any(find_phrase(words, p) is not None for p in CALL_OFF):
        return "cancel"
    done = "xong" in words or find_phrase(words, ["hoan", "thanh"]) is not None
    if done and (kind is None or _reports_done(words)):
        return "done"
    if kind is None and any(find_phrase(words, p) is not None for p in PASS_ON):
        return "decline"
    if advert or (words and _asks_a_fact(words)):
        return "unknown"
    if kind is not None or any(find_phrase(words, verb) is not None for verb in REQUEST_VERBS):
        return "help_request"
    if _is_question(words, question_mark):
        return "unknown"
    answer = _yes_no(words)
    if answer is not None:
        return answer
    if _is_small_talk(words):
        return "unknown"  # a price or a power cut "today" is no answer about the visit
    return "help_request" if has_place_or_time else "unknown"


def parse_sms(
    text: str, gazetteer: Gazetteer, today: date, *, default_commune: str | None = None
) -> dict[str, object]:
    """Parse one SMS; ``default_commune`` (the sender's, if known) breaks hamlet-name ties."""
    tokens: list[Token] = tokenize(text)
    keys = [t.key for t in tokens]
    place = find_place(keys, gazetteer, default_commune)
    when = read_when(tokens, today, accented=has_diacritics(text))
    left = [i for i in range(len(tokens)) if i not in place.used and i not in when.used]
    words = _without_addresses(expand([keys[i] for i in left]))
    kind = find_kind(words)
    # The intent is read with "nhớ" kept apart from "nhờ"; the kind with both folded, as
    # phrases such as "bộ nhớ" are written.
    verbs = [_intent_key(tokens, keys, i) for i in left]
    intent_words = _without_addresses(expand(verbs))
    found_something = bool(place.commune or place.hamlet or when.day or when.part)
    by_letter = read_codes(text)
    if _keyword_intent(words) is not None or by_letter is not None:
        kind = None  # a keyword message (STOP, nhận, 1B...) names no kind of help
    advert = _is_advert(text, intent_words)
    intent = (
        by_letter[0]
        if by_letter
        else _intent(intent_words, kind, found_something, "?" in text, advert)
    )
    return {
        "intent": intent,
        "kind": kind,
        "commune": place.commune,
        "hamlet": place.hamlet,
        "when": {
            "day": when.day.isoformat() if when.day else None,
            "part": when.part,
        },
        "codes": by_letter[1] if by_letter else [],
    }
