#pragma once
// Small tokenising helpers shared by the evidence parsers (not part of the public API).
#include "evidencetypes.h"

#include <QByteArrayView>

#include <optional>
#include <vector>

namespace ikev2wb::evidence_detail {

/// Whitespace-separated words of a line.
std::vector<QByteArrayView> words(QByteArrayView line);
/// Decimal unsigned number; nullopt unless the whole view is digits.
std::optional<std::uint64_t> toU64(QByteArrayView v);
/// "0x1f" or "1f" (base 16); nullopt on junk or overflow.
std::optional<std::uint64_t> hexU64(QByteArrayView v);
inline QString str(QByteArrayView v)
{
    return QString::fromUtf8(v.data(), v.size());
}
/// Word following `key` in `w` (e.g. after "spi"), or an empty view.
QByteArrayView after(const std::vector<QByteArrayView> &w, QByteArrayView key);
/// Sets status.error to "FILE: not a SOURCE output: expected WHAT".
void wrongKind(ParseStatus &status, const QString &fileName, EvidenceKind kind, const QString &expected);
/// Number of leading spaces/tabs (a tab counts as 8).
int indentOf(QByteArrayView line);
/// Index of the first `c` outside double quotes, or -1.
qsizetype indexOutsideQuotes(QByteArrayView line, char c);

} // namespace ikev2wb::evidence_detail
