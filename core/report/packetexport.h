#pragma once
// Writing chosen packets of a capture to a new pcapng file (File ▸ Export Packets, the Packets
// page's "Export Selected/Shown Packets…"): the records are read again from the source file
// through libpcap and copied byte for byte with their timestamps (nanosecond resolution) and
// original lengths, so the new file opens in Wireshark with the same bytes the source holds.
#include <QString>
#include <QStringList>

#include <atomic>
#include <cstdint>
#include <span>

namespace ikev2wb {

struct PacketExportResult
{
    std::uint64_t written = 0;
    QString warning; // e.g. the source ended before the last wanted packet
};

/// Copies the records of `source` whose frame numbers (1-based, ascending, no duplicates) are in
/// `frames` to `destination` (pcapng; a regular file there is replaced, a symbolic link is not
/// followed; nothing is left behind on failure or cancellation). False with `error` naming the
/// file and the reason.
bool exportPackets(const QString &source, std::span<const std::uint64_t> frames, const QString &destination,
                   PacketExportResult *result, QString *error, const std::atomic_bool *cancel = nullptr);
/// The same from a capture read as a set of files (CaptureIndex::set): `sources` in reading
/// order, frame numbers counted across them; one interface per file in the new file (each with
/// its own link type).
bool exportPackets(const QStringList &sources, std::span<const std::uint64_t> frames,
                   const QString &destination, PacketExportResult *result, QString *error,
                   const std::atomic_bool *cancel = nullptr);

} // namespace ikev2wb
