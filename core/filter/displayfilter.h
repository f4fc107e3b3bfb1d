#pragma once
// Display filters in Wireshark's syntax over the packets of a CaptureIndex: the one filter
// language of the Packets page and `ikev2wb packets FILE --filter EXPR`. An expression is
// compiled once (syntax and literal errors carry the character position) and then evaluated per
// packet; for the fields it knows it selects the frames tshark 4.0 selects (README, "Display
// filters", lists the fields and where it knowingly differs).
#include "compare/endpointcompare.h"
#include "index/captureindex.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace ikev2wb {

/// Where and why an expression does not compile. `position` is the 0-based character offset
/// in the expression (the expression's length for "unexpected end").
struct FilterError
{
    int position = 0;
    int length = 0;
    QString message;
    /// "character 12: \"4500\" was unexpected here" (1-based, as a person counts).
    [[nodiscard]] QString toString() const;
};

/// One field the language knows, for the documentation and the GUI's completion.
struct FilterFieldInfo
{
    const char *name;
    const char *type; // "unsigned", "boolean", "IPv4", "IPv6", "bytes", "time", "protocol", "flag"
    const char *description;
};
const std::vector<FilterFieldInfo> &displayFilterFields();

namespace filter_detail {
struct Program;
}

/// A compiled expression. Default-constructed (or from an empty/blank text) it matches every
/// packet. Cheap to copy (the compiled program is shared and immutable).
class DisplayFilter final
{
public:
    DisplayFilter() = default;
    /// Compiles `text`. On error returns a filter that is !isValid() and fills `error`.
    static DisplayFilter compile(const QString &text, FilterError *error = nullptr);

    [[nodiscard]] bool isValid() const { return m_valid; }
    /// True for a blank expression: every packet matches.
    [[nodiscard]] bool isEmpty() const { return m_valid && !m_program; }
    [[nodiscard]] const QString &text() const { return m_text; }
    /// The expression uses a `wb.` field (needs one extra pass over the capture to evaluate).
    [[nodiscard]] bool usesWorkbenchFields() const;
    [[nodiscard]] const filter_detail::Program *program() const { return m_program.get(); }

private:
    bool m_valid = true;
    QString m_text;
    std::shared_ptr<const filter_detail::Program> m_program;
};

/// A filter bound to one capture: precomputes what some fields need (which frame completed an IP
/// reassembly, the `wb.` facts) and then answers per packet. Not thread-safe for concurrent
/// matches() on one object; build one per worker.
/// A capture seen as one end of a pair: its packets' fates at the other end (CompareResult::
/// pairing, capture `side`, 0 = A), what `wb.esp.lost` reads. Without one that field matches
/// nothing.
struct FilterPairing
{
    const PacketPairing *pairing = nullptr;
    int side = 0;
};

class FilterEvaluator final
{
public:
    FilterEvaluator(const DisplayFilter &filter, const CaptureIndex &index, FilterPairing pair = {});
    ~FilterEvaluator();
    FilterEvaluator(const FilterEvaluator &) = delete;
    FilterEvaluator &operator=(const FilterEvaluator &) = delete;

    /// Packet index (0-based) → matches.
    [[nodiscard]] bool matches(std::size_t packet) const;

    struct Context;

private:
    DisplayFilter m_filter;
    std::unique_ptr<Context> m_ctx;
};

/// The 0-based indexes of the packets `filter` selects, in packet order. `cancel` is polled
/// every 64 Ki packets; a cancelled run returns what it had and sets *cancelled.
std::vector<std::uint32_t> selectPackets(const DisplayFilter &filter, const CaptureIndex &index,
                                         const std::atomic_bool *cancel = nullptr, bool *cancelled = nullptr,
                                         FilterPairing pair = {});

} // namespace ikev2wb
