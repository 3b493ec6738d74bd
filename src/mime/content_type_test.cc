#include "mime/content_type.h"

#include <gtest/gtest.h>

namespace roost::mime {
namespace {

TEST(ContentType, TypeSubtypeParams) {
  auto ct = parse_content_type("Text/HTML ; charset=\"UTF-8\" (comment); format=flowed");
  EXPECT_EQ(ct.type, "Text");
  EXPECT_EQ(ct.subtype, "HTML");
  EXPECT_EQ(ct.params, (Params{{"charset", "UTF-8"}, {"format", "flowed"}}));
}

TEST(ContentType, CommentsAndQuotedEscapes) {
  auto ct = parse_content_type("(lead) multipart (x) / mixed; boundary=\"a\\\"b;c\"");
  EXPECT_EQ(ct.type, "multipart");
  EXPECT_EQ(ct.subtype, "mixed");
  EXPECT_EQ(ct.params, (Params{{"boundary", "a\"b;c"}}));
}

TEST(ContentType, Invalid) {
  EXPECT_FALSE(parse_content_type("text").valid());
  EXPECT_FALSE(parse_content_type("/plain").valid());
  EXPECT_FALSE(parse_content_type("").valid());
}

TEST(ContentType, Rfc2231ContinuationsAndCharset) {
  // RFC 2231 §3-4 examples, shuffled order.
  auto ct = parse_content_type(
      "application/x-stuff; title*1*=%2A%2A%2Afun%2A%2A%2A%20; "
      "title*0*=us-ascii'en'This%20is%20even%20more%20; title*2=\"isn't it!\"; a=b");
  // As IMAP BODYSTRUCTURE shows it: plain first, sections joined, the plain one escaped.
  EXPECT_EQ(ct.params, (Params{{"a", "b"},
                               {"title*",
                                "us-ascii'en'This%20is%20even%20more%20%2A%2A%2Afun%2A%2A%2A%20"
                                "isn't it!"}}));
  EXPECT_EQ(decode_params(ct.params),
            (Params{{"a", "b"}, {"title", "This is even more ***fun*** isn't it!"}}));
}

TEST(ContentType, Rfc2231WireForm) {
  // Plain sections only: joined under the plain name, in section order.
  auto d = parse_disposition("attachment; filename*1=\"b.txt\"; filename*0=\"a-\"");
  EXPECT_EQ(d.params, (Params{{"filename", "a-b.txt"}}));
  // Encoded first section, then a plain one holding a '%': escaped so decoding gives it back.
  d = parse_disposition("attachment; filename*0*=utf-8''caf%C3%A9-; filename*1=\"100%.txt\"");
  EXPECT_EQ(d.params, (Params{{"filename*", "utf-8''caf%C3%A9-100%25.txt"}}));
  EXPECT_EQ(decoded_param(d.params, "filename"), "caf\xC3\xA9-100%.txt");
  // Plain first section, encoded second: an empty charset'lang' prefix is added.
  d = parse_disposition("attachment; name*0=a; name*1*=%41");
  EXPECT_EQ(d.params, (Params{{"name*", "''a%41"}}));
  EXPECT_EQ(decoded_param(d.params, "name"), "aA");
  // A missing section: the sections stay apart, as written; decoding joins what is there.
  d = parse_disposition("attachment; filename*0=\"part0-\"; filename*2=\"part2.txt\"");
  EXPECT_EQ(d.params, (Params{{"filename*0", "part0-"}, {"filename*2", "part2.txt"}}));
  EXPECT_EQ(decoded_param(d.params, "filename"), "part0-part2.txt");
  EXPECT_EQ(decoded_param(d.params, "size"), std::nullopt);
}

TEST(ContentType, Rfc2231Charsets) {
  auto d =
      parse_disposition("attachment; filename=\"fallback.txt\"; filename*=iso-8859-1''caf%E9.txt");
  EXPECT_EQ(d.type, "attachment");
  EXPECT_EQ(d.params,
            (Params{{"filename", "fallback.txt"}, {"filename*", "iso-8859-1''caf%E9.txt"}}));
  EXPECT_EQ(decode_params(d.params), (Params{{"filename", "caf\xC3\xA9.txt"}}));
  d = parse_disposition("inline; filename*0*=UTF-8''%E2%82%AC; filename*1=\".pdf\"");
  EXPECT_EQ(decode_params(d.params), (Params{{"filename", "\xE2\x82\xAC.pdf"}}));
  d = parse_disposition("inline; name*=''no-charset%21");
  EXPECT_EQ(d.params, (Params{{"name*", "''no-charset%21"}}));
  EXPECT_EQ(decode_params(d.params), (Params{{"name", "no-charset!"}}));
}

TEST(ContentType, LenientValuesAndJunk) {
  auto ct = parse_content_type("text/plain; name=a@b/c.txt; junk; ;x=\"unterminated");
  // RFC 2045 §5.1: a value is a token or a complete quoted-string; others are dropped.
  EXPECT_EQ(ct.params, (Params{{"name", "a@b/c.txt"}}));
  EXPECT_EQ(parse_content_type("text/plain; format=; a=b").params, (Params{{"a", "b"}}));
  const std::string* v = find_param(ct.params, "NAME");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(*v, "a@b/c.txt");
}

}  // namespace
}  // namespace roost::mime
