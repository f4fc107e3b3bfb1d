#include "jsonwriter.h"
#include "../util/textformat.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <utility>

namespace ikev2wb {

void JsonWriter::newline()
{
    if (!m_pretty) return;
    m_out += '\n';
    m_out.append(m_first.size() * 2, ' ');
}

void JsonWriter::separate()
{
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (!m_first.empty()) {
        if (!m_first.back()) m_out += ',';
        m_first.back() = false;
        newline();
    }
}

JsonWriter &JsonWriter::beginObject()
{
    separate();
    m_out += '{';
    m_first.push_back(true);
    return *this;
}

JsonWriter &JsonWriter::endObject()
{
    const bool empty = m_first.back();
    m_first.pop_back();
    if (!empty) newline();
    m_out += '}';
    return *this;
}

JsonWriter &JsonWriter::beginArray()
{
    separate();
    m_out += '[';
    m_first.push_back(true);
    return *this;
}

JsonWriter &JsonWriter::endArray()
{
    const bool empty = m_first.back();
    m_first.pop_back();
    if (!empty) newline();
    m_out += ']';
    return *this;
}

JsonWriter &JsonWriter::key(std::string_view k)
{
    separate();
    m_afterKey = true; // the key string itself must not add a second separator
    value(k);
    m_out += m_pretty ? ": " : ":";
    m_afterKey = true;
    return *this;
}

namespace {
/// The code point of the two-, three- or four-byte UTF-8 sequence at s[i] and its length, or 0
/// when there is none (ASCII, or bytes that are not UTF-8).
std::pair<char32_t, std::size_t> utf8Sequence(std::string_view s, std::size_t i)
{
    const auto b = [&](std::size_t k) { return char32_t(static_cast<unsigned char>(s[k])); };
    const auto cont = [&](std::size_t k) { return k < s.size() && (b(k) & 0xc0) == 0x80; };
    if ((b(i) & 0xe0) == 0xc0 && cont(i + 1)) return {((b(i) & 0x1f) << 6) | (b(i + 1) & 0x3f), 2};
    if ((b(i) & 0xf0) == 0xe0 && cont(i + 1) && cont(i + 2))
        return {((b(i) & 0x0f) << 12) | ((b(i + 1) & 0x3f) << 6) | (b(i + 2) & 0x3f), 3};
    if ((b(i) & 0xf8) == 0xf0 && cont(i + 1) && cont(i + 2) && cont(i + 3))
        return {((b(i) & 0x07) << 18) | ((b(i + 1) & 0x3f) << 12) | ((b(i + 2) & 0x3f) << 6) |
                    (b(i + 3) & 0x3f),
                4};
    return {0, 0};
}
} // namespace

JsonWriter &JsonWriter::value(std::string_view s)
{
    separate();
    m_out += '"';
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        // DEL, C1 controls, U+2028/9 and format characters (bidi overrides) are valid JSON raw, but
        // a terminal acts on them: \u escapes, the same string to a JSON reader.
        // Outside the BMP (tag characters) as the surrogate pair JSON spells it.
        if (const auto [u, len] = utf8Sequence(s, i); c == 0x7f || (len > 0 && isControlCharacter(u))) {
            char buf[16];
            if (u > 0xffff)
                std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", unsigned(0xd800 + ((u - 0x10000) >> 10)),
                              unsigned(0xdc00 + ((u - 0x10000) & 0x3ff)));
            else
                std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(c == 0x7f ? 0x7f : u));
            m_out += buf;
            i += len > 0 ? len - 1 : 0;
            continue;
        }
        switch (c) {
        case '"':
            m_out += "\\\"";
            break;
        case '\\':
            m_out += "\\\\";
            break;
        case '\n':
            m_out += "\\n";
            break;
        case '\r':
            m_out += "\\r";
            break;
        case '\t':
            m_out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(static_cast<unsigned char>(c)));
                m_out += buf;
            } else {
                m_out += c;
            }
        }
    }
    m_out += '"';
    return *this;
}

JsonWriter &JsonWriter::value(const QString &s)
{
    const QByteArray utf8 = s.toUtf8();
    return value(std::string_view(utf8.constData(), std::size_t(utf8.size())));
}

JsonWriter &JsonWriter::value(bool b)
{
    separate();
    m_out += b ? "true" : "false";
    return *this;
}

JsonWriter &JsonWriter::value(std::int64_t v)
{
    separate();
    m_out += std::to_string(v);
    return *this;
}

JsonWriter &JsonWriter::value(std::uint64_t v)
{
    separate();
    m_out += std::to_string(v);
    return *this;
}

JsonWriter &JsonWriter::value(double v, int decimals)
{
    if (!std::isfinite(v)) return null();
    separate();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    m_out += buf;
    return *this;
}

JsonWriter &JsonWriter::null()
{
    separate();
    m_out += "null";
    return *this;
}

JsonWriter &JsonWriter::time(std::int64_t ns)
{
    separate();
    m_out += epochSeconds(ns);
    return *this;
}

JsonWriter &JsonWriter::spi(std::uint32_t s)
{
    return value(spiText(s)); // the one SPI format (util/textformat)
}

JsonWriter &JsonWriter::spi64(std::uint64_t s)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%016" PRIx64, s);
    return value(std::string_view(buf));
}

} // namespace ikev2wb
