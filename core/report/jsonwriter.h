#pragma once
// A small streaming JSON writer: exact number formatting (times with 9 decimals, SPIs as hex
// strings) that QJsonDocument cannot give, and no per-value allocation for large outputs.
#include <QString>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ikev2wb {

class JsonWriter final
{
public:
    explicit JsonWriter(bool pretty = false) : m_pretty(pretty) {}

    JsonWriter &beginObject();
    JsonWriter &endObject();
    JsonWriter &beginArray();
    JsonWriter &endArray();
    JsonWriter &key(std::string_view k);

    JsonWriter &value(std::string_view s);
    JsonWriter &value(const QString &s);
    JsonWriter &value(const char *s) { return value(std::string_view(s)); }
    JsonWriter &value(bool b);
    JsonWriter &value(std::int64_t v);
    JsonWriter &value(std::uint64_t v);
    JsonWriter &value(int v) { return value(std::int64_t(v)); }
    JsonWriter &value(unsigned v) { return value(std::uint64_t(v)); }
    JsonWriter &value(double v, int decimals = 3);
    JsonWriter &null();
    /// Seconds with exactly 9 decimals from a nanosecond count.
    JsonWriter &time(std::int64_t ns);
    /// "0x%08x"
    JsonWriter &spi(std::uint32_t spi);
    /// "0x%016llx"
    JsonWriter &spi64(std::uint64_t spi);

    template <typename T> JsonWriter &field(std::string_view k, const T &v)
    {
        key(k);
        return value(v);
    }

    [[nodiscard]] const std::string &str() const { return m_out; }
    std::string take() { return std::move(m_out); }

private:
    void separate();
    void newline();
    std::string m_out;
    std::vector<bool> m_first; // per open container: nothing written yet
    bool m_afterKey = false;
    bool m_pretty;
};

} // namespace ikev2wb
