from notifications.kind_words import find_kind
from notifications.lexicon import (
    collapse_repeats,
    expand,
    key_of,
    osa_distance,
    tokenize,
    word_matches,
)


def test_key_folds_and_spells_y_as_i():
    assert key_of("Kim Quy") == "kim qui" and key_of("Đồng ý") == "dong i"


def test_tokenize_keeps_dates_and_clock_times_and_splits_ap_numbers():
    keys = [t.key for t in tokenize("Ấp3, 7h30 sáng 5/12 🙏 ấp số 2")]
    assert keys == ["ap", "3", "7h30", "sang", "5/12", "ap", "2"]


def test_osa_distance_counts_a_swap_once():
    assert osa_distance("cogn", "cong") == 1
    assert osa_distance("vneid", "vneld") == 1
    assert osa_distance("abc", "xyz") == 3
    assert osa_distance("a", "abcd", 1) == 2  # length gap alone exceeds the limit


def test_short_words_must_be_exact():
    assert not word_matches("tren", "tien")  # not a swap
    assert word_matches("tein", "tien")
    assert not word_matches("gia", "gian")
    assert word_matches("onlien", "online")


def test_shorthand_and_leaning_on_keys():
    assert expand(["ko", "dc", "gium", "okk"]) == ["khong", "duoc", "giup", "ok"]
    assert collapse_repeats("xongg") == "xong"


def test_kind_weights_prefer_specific_words():
    assert find_kind(expand(key_of("bị lừa chuyển tiền qua mạng").split())) == "cyber_safety"
    assert find_kind(expand(key_of("đóng tiền điện qua điện thoại").split())) == "e_payment"
    assert find_kind(expand(key_of("mai em bận rồi").split())) is None
