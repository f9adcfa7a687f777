// The comment-line parser against ASE's rules (values written here by hand, as ASE's
// key_val_str_to_dict types them): 3.22's, with 3.23+'s boolean words (docs/data.md,
// "ASE versions").
#include <gtest/gtest.h>

#include "eqt/core/error.h"
#include "eqt/data/extxyz_comment.h"

namespace eqt::data {
namespace {

const InfoValue& value_of(const std::vector<CommentEntry>& entries, const std::string& key) {
  for (const auto& e : entries) {
    if (e.key == key) return e.value;
  }
  throw std::runtime_error("no key " + key);
}

const at::Tensor& tensor_of(const std::vector<CommentEntry>& entries, const std::string& key) {
  return std::get<at::Tensor>(value_of(entries, key));
}

std::string text_of(const std::vector<CommentEntry>& entries, const std::string& key) {
  return std::get<std::string>(value_of(entries, key));
}

TEST(ExtxyzComment, ScalarsAreTypedIntFloatBoolText) {
  const auto e = parse_comment_line("n=3 x=-1.5 big=1e500 flag=T off=F word=hello t=True");
  ASSERT_EQ(e.size(), 7u);
  EXPECT_EQ(tensor_of(e, "n").scalar_type(), at::kLong);
  EXPECT_EQ(tensor_of(e, "n").dim(), 0);
  EXPECT_EQ(tensor_of(e, "n").item<int64_t>(), 3);
  EXPECT_EQ(tensor_of(e, "x").scalar_type(), at::kDouble);
  EXPECT_EQ(tensor_of(e, "x").item<double>(), -1.5);
  EXPECT_TRUE(std::isinf(tensor_of(e, "big").item<double>()));
  EXPECT_EQ(tensor_of(e, "flag").scalar_type(), at::kBool);
  EXPECT_TRUE(tensor_of(e, "flag").item<bool>());
  EXPECT_FALSE(tensor_of(e, "off").item<bool>());
  EXPECT_EQ(text_of(e, "word"), "hello");
  EXPECT_TRUE(tensor_of(e, "t").item<bool>());  // ASE 3.23+ (3.22: the string "True")
}

TEST(ExtxyzComment, BooleanWordsAreThoseOfAse323) {
  const auto e = parse_comment_line(
      "a=true b=FALSE c=False d=\"T true, FALSE\" e=tRUE f=t g=yes h=\"T x\" "
      "i=\"_JSON \\\"True\\\"\"");
  for (const char* key : {"a", "c"}) ASSERT_EQ(tensor_of(e, key).dim(), 0) << key;
  EXPECT_TRUE(tensor_of(e, "a").item<bool>());
  EXPECT_FALSE(tensor_of(e, "b").item<bool>());
  EXPECT_FALSE(tensor_of(e, "c").item<bool>());
  EXPECT_TRUE(at::equal(tensor_of(e, "d"), at::tensor({1, 1, 0}).to(at::kBool)));
  // Mixed case, lower-case single letters, other words, and JSON text are not booleans.
  EXPECT_EQ(text_of(e, "e"), "tRUE");
  EXPECT_EQ(text_of(e, "f"), "t");
  EXPECT_EQ(text_of(e, "g"), "yes");
  EXPECT_EQ(text_of(e, "h"), "T x");
  EXPECT_EQ(text_of(e, "i"), "True");
}

TEST(ExtxyzComment, PythonNumberSpellings) {
  const auto e = parse_comment_line("a=+5 b=1_000 c=007 d=.5 e=5. f=nan g=-inf h=1.0D0 i=0x10");
  EXPECT_EQ(tensor_of(e, "a").item<int64_t>(), 5);
  EXPECT_EQ(tensor_of(e, "b").item<int64_t>(), 1000);
  EXPECT_EQ(tensor_of(e, "c").item<int64_t>(), 7);
  EXPECT_EQ(tensor_of(e, "d").item<double>(), 0.5);
  EXPECT_EQ(tensor_of(e, "e").item<double>(), 5.0);
  EXPECT_TRUE(std::isnan(tensor_of(e, "f").item<double>()));
  EXPECT_EQ(tensor_of(e, "g").item<double>(), -INFINITY);
  EXPECT_EQ(text_of(e, "h"), "1.0D0");
  EXPECT_EQ(text_of(e, "i"), "0x10");
  const auto signs = parse_comment_line("j=+-5 k=--1.5 l=1__0");
  EXPECT_EQ(text_of(signs, "j"), "+-5");
  EXPECT_EQ(text_of(signs, "k"), "--1.5");
  EXPECT_EQ(text_of(signs, "l"), "1__0");
}

TEST(ExtxyzComment, IntegerOverflowFallsBackToFloat) {
  const auto e = parse_comment_line("n=99999999999999999999");
  EXPECT_EQ(tensor_of(e, "n").scalar_type(), at::kDouble);
  EXPECT_EQ(tensor_of(e, "n").item<double>(), 1e20);
}

TEST(ExtxyzComment, QuotesBracesBracketsAndEscapes) {
  const auto e = parse_comment_line(
      R"(a="x y" b='p q' c={1 2} d=[u v] e="say \"hi\"" f=x"y z"w g=\"q h="a=b")");
  EXPECT_EQ(text_of(e, "a"), "x y");
  EXPECT_EQ(text_of(e, "b"), "p q");
  EXPECT_TRUE(at::equal(tensor_of(e, "c"), at::tensor({1, 2}, at::kLong)));
  EXPECT_EQ(text_of(e, "d"), "u v");
  EXPECT_EQ(text_of(e, "e"), "say \"hi\"");
  EXPECT_EQ(text_of(e, "f"), "xy zw");
  EXPECT_EQ(text_of(e, "g"), "\"q");
  EXPECT_EQ(text_of(e, "h"), "a=b");
}

TEST(ExtxyzComment, ArraysSplitOnSpacesAndCommas) {
  const auto e = parse_comment_line("i=\"1 2 3\" f=\"1,2.5 3\" b=\"T F,T\" m=\"1 x\" empty=\"\"");
  EXPECT_TRUE(at::equal(tensor_of(e, "i"), at::tensor({1, 2, 3}, at::kLong)));
  EXPECT_TRUE(at::equal(tensor_of(e, "f"), at::tensor({1.0, 2.5, 3.0}, at::kDouble)));
  const at::Tensor b = tensor_of(e, "b");
  ASSERT_EQ(b.scalar_type(), at::kBool);
  EXPECT_EQ(b.numel(), 3);
  EXPECT_TRUE(b[0].item<bool>());
  EXPECT_FALSE(b[1].item<bool>());
  EXPECT_EQ(text_of(e, "m"), "1 x");
  // ASE: an empty value is np.array([], dtype=int)
  EXPECT_EQ(tensor_of(e, "empty").scalar_type(), at::kLong);
  EXPECT_EQ(tensor_of(e, "empty").numel(), 0);
}

TEST(ExtxyzComment, NineValuesAre3x3OnlyForMatrixKeys) {
  const auto e = parse_comment_line(
      "stress=\"1 2 3 4 5 6 7 8 9\" virial=\"1 0 0 0 2 0 0 0 3\" other=\"1 2 3 4 5 6 7 8 9\"");
  const at::Tensor s = tensor_of(e, "stress");
  ASSERT_EQ(s.sizes(), (at::IntArrayRef{3, 3}));
  // Fortran order: column j holds values 3j..3j+2
  EXPECT_EQ(s[0][1].item<int64_t>(), 4);
  EXPECT_EQ(s[1][0].item<int64_t>(), 2);
  EXPECT_EQ(s[2][0].item<int64_t>(), 3);
  EXPECT_EQ(tensor_of(e, "virial")[2][2].item<int64_t>(), 3);
  EXPECT_EQ(tensor_of(e, "other").sizes(), (at::IntArrayRef{9}));
}

TEST(ExtxyzComment, VoigtStressIsKeptAsSixValues) {
  const auto e = parse_comment_line("stress=\"1 2 3 4 5 6\"");
  EXPECT_EQ(tensor_of(e, "stress").sizes(), (at::IntArrayRef{6}));
}

TEST(ExtxyzComment, MatrixKeysMustBeNumericWithNineValues) {
  EXPECT_THROW(parse_comment_line("Lattice=\"1 0 0 0 1 0 0 0\""), Error);
  EXPECT_THROW(parse_comment_line("Lattice=\"1 2 3 4 5 6\""), Error);
  EXPECT_THROW(parse_comment_line("stress=\"a b c d e f g h i\""), Error);
  try {
    parse_comment_line("Lattice=\"1 0 0 0 1 0 0 0 x\"");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Lattice must be 9 numbers"), std::string::npos)
        << e.what();
  }
}

TEST(ExtxyzComment, BareKeysAreTrue) {
  const auto e = parse_comment_line("have_energy cutoff=3.4 last");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_TRUE(tensor_of(e, "have_energy").item<bool>());
  EXPECT_TRUE(tensor_of(e, "last").item<bool>());
  EXPECT_EQ(tensor_of(e, "cutoff").item<double>(), 3.4);
}

TEST(ExtxyzComment, SpacesAroundEqualsJoinOnePair) {
  const auto e = parse_comment_line("a = 1 b =2 c= 3");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(tensor_of(e, "a").item<int64_t>(), 1);
  EXPECT_EQ(tensor_of(e, "b").item<int64_t>(), 2);
  EXPECT_EQ(tensor_of(e, "c").item<int64_t>(), 3);
}

TEST(ExtxyzComment, EmptyQuotedValueSwallowsTheNextTokenLikeAse) {
  // ASE 3.22: 'f="" uid=12' parses as f = "uid=12".
  const auto e = parse_comment_line("f=\"\" uid=12");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(text_of(e, "f"), "uid=12");
}

TEST(ExtxyzComment, DuplicateKeysKeepFirstPositionAndLastValue) {
  const auto e = parse_comment_line("a=1 b=2 a=3");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].key, "a");
  EXPECT_EQ(e[1].key, "b");
  EXPECT_EQ(tensor_of(e, "a").item<int64_t>(), 3);
}

TEST(ExtxyzComment, UidIsNeverConverted) {
  const auto e = parse_comment_line("uid=12 UID=T");
  EXPECT_EQ(text_of(e, "uid"), "12");
  EXPECT_EQ(text_of(e, "UID"), "T");
}

TEST(ExtxyzComment, JsonValues) {
  const auto e = parse_comment_line(
      R"(m="_JSON [[1, 2], [3, 4]]" f="_JSON [1.5]" s="_JSON \"12\"" b="_JSON [true, false]" )"
      R"(o="_JSON {\"a\": 1}" empty="_JSON []")");
  EXPECT_TRUE(at::equal(tensor_of(e, "m"), at::tensor({1, 2, 3, 4}, at::kLong).reshape({2, 2})));
  EXPECT_EQ(tensor_of(e, "f").sizes(), (at::IntArrayRef{1}));
  EXPECT_EQ(tensor_of(e, "f").scalar_type(), at::kDouble);
  EXPECT_EQ(text_of(e, "s"), "12");
  EXPECT_EQ(tensor_of(e, "b").scalar_type(), at::kBool);
  EXPECT_EQ(text_of(e, "o"), "_JSON {\"a\": 1}");  // objects stay text
  EXPECT_EQ(tensor_of(e, "empty").scalar_type(), at::kDouble);
  EXPECT_EQ(tensor_of(e, "empty").numel(), 0);
  EXPECT_THROW(parse_comment_line(R"(r="_JSON [[1], [2, 3]]")"), Error);
  EXPECT_THROW(parse_comment_line(R"(r="_JSON [1, [2]]")"), Error);
  EXPECT_EQ(tensor_of(parse_comment_line(R"(r="_JSON [[], []]")"), "r").sizes(),
            (at::IntArrayRef{2, 0}));
  EXPECT_THROW(parse_comment_line(R"(r="_JSON [1,")"), Error);
}

TEST(ExtxyzComment, UnterminatedQuoteFails) {
  try {
    parse_comment_line("a=1 b=\"2 3");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unterminated quote"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("column 7"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_comment_line("a={1 2"), Error);
}

TEST(ExtxyzComment, EqualsWithoutKeyFails) {
  EXPECT_THROW(parse_comment_line("=5"), Error);
  EXPECT_THROW(parse_comment_line("\"\"=5"), Error);
}

TEST(ExtxyzComment, EmptyLineHasNoEntries) {
  EXPECT_TRUE(parse_comment_line("").empty());
  EXPECT_TRUE(parse_comment_line("   \t ").empty());
}

TEST(ExtxyzComment, SplitPairsKeepsRawText) {
  const auto pairs = split_comment_pairs("Properties=species:S:1:pos:R:3 a=\"1 2\" bare");
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0].second, "species:S:1:pos:R:3");
  EXPECT_EQ(pairs[1].second, "1 2");
  EXPECT_EQ(pairs[2].second, "T");
}

}  // namespace
}  // namespace eqt::data
