"""`vault.topic_path`: where a tag Folio adds goes in the vault's folders of topic notes."""

from articles.vault import topic_path

VAULT = {"00-元语/AI": 5, "00-元语/大模型": 2, "10-人物/卡兹克": 3, "LLM": 40}


def test_the_folder_the_articles_own_tags_use_most():
    own = ["10-人物/卡兹克", "00-元语/AI", "00-元语/大模型"]
    assert topic_path("多模态", own, {}) == "00-元语/多模态"
    assert topic_path("多模态", ["10-人物/卡兹克", "LLM"], VAULT) == "10-人物/多模态"


def test_a_tie_among_the_articles_folders_goes_to_the_vaults_more_common_one():
    own = ["10-人物/卡兹克", "00-元语/AI"]
    assert topic_path("多模态", own, VAULT) == "00-元语/多模态"
    assert topic_path("多模态", own, {"10-人物/卡兹克": 9, "00-元语/AI": 1}) == "10-人物/多模态"


def test_a_tie_everywhere_goes_to_the_alphabetically_first_folder():
    assert topic_path("多模态", ["b/x", "a/y"], {"b/x": 1, "a/y": 1}) == "a/多模态"
    assert topic_path("多模态", [], {"b/x": 2, "a/y": 1, "a/z": 1}) == "a/多模态"


def test_an_article_with_no_folder_of_its_own_takes_the_vaults():
    assert topic_path("多模态", [], VAULT) == "00-元语/多模态"  # 7 links, against 3
    assert topic_path("多模态", ["LLM"], VAULT) == "00-元语/多模态"  # bare links do not vote


def test_with_no_folder_anywhere_the_path_is_the_name():
    assert topic_path("多模态", ["LLM"], {"LLM": 40}) == "多模态"
    assert topic_path("多模态", [], {}) == "多模态"


def test_a_name_with_a_folder_is_its_own_path():
    assert topic_path("专题/多模态", ["00-元语/AI"], VAULT) == "专题/多模态"


def test_nested_folders_are_one_folder():
    own = ["知识/00-元语/AI", "知识/00-元语/大模型", "00-元语/X"]
    assert topic_path("多模态", own, {}) == "知识/00-元语/多模态"
