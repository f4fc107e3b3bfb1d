#pragma once
// Streams packets out of a pcap or pcapng file through libpcap. Nothing is kept in memory
// beyond the current record; progress (bytes read of the file size) and cancellation reach
// the caller; a truncated last record ends the read with a warning, not an error.
#include "../util/bytes.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

namespace ikev2wb {

/// One record as libpcap hands it over; `data` is valid only during the callback.
struct RawPacket
{
    std::int64_t tsNs = 0; // nanoseconds since the epoch (pcap µs files are scaled)
    std::uint32_t capturedLength = 0;
    std::uint32_t originalLength = 0;
    const std::uint8_t *data = nullptr;
    [[nodiscard]] ByteView bytes() const { return {data, capturedLength}; }
};

/// Facts about the file itself.
struct CaptureFileInfo
{
    QString path;
    QString format;    // "pcap" or "pcapng"
    int linkType = -1; // DLT_ value
    QString linkTypeName;
    int snapLength = 0;
    std::int64_t fileSize = 0;
    bool nanosecondFile = false; // the file itself stores nanoseconds
};

/// How a read ended.
struct ReadOutcome
{
    std::uint64_t packets = 0;
    std::int64_t bytesRead = 0;
    bool cancelled = false;
    QString warning; // e.g. a truncated last record, with the byte offset
};

using ProgressFn =
    std::function<void(std::int64_t bytesRead, std::int64_t totalBytes, std::uint64_t packets)>;

class CaptureReader final
{
public:
    ~CaptureReader();
    CaptureReader(const CaptureReader &) = delete;
    CaptureReader &operator=(const CaptureReader &) = delete;

    /// Opens a capture. On failure returns nullptr and sets `error` to one sentence naming the
    /// file and the reason (missing, unreadable, not a capture, unsupported link type, ...).
    static std::unique_ptr<CaptureReader> open(const QString &path, QString *error);

    [[nodiscard]] const CaptureFileInfo &info() const { return m_info; }

    /// Calls `sink` for every record. `progress` is called at most every 64 Ki records (the
    /// caller throttles further). `cancel` is polled every 4 Ki records.
    template <typename Sink>
    ReadOutcome read(Sink &&sink, const ProgressFn &progress = {}, const std::atomic_bool *cancel = nullptr)
    {
        ReadOutcome out;
        RawPacket pkt;
        while (true) {
            const int rc = next(pkt);
            if (rc == 1) {
                sink(pkt);
                ++out.packets;
                if ((out.packets & 0xfff) == 0) {
                    if (cancel && cancel->load(std::memory_order_relaxed)) {
                        out.cancelled = true;
                        break;
                    }
                    if (progress && (out.packets & 0xffff) == 0)
                        progress(position(), m_info.fileSize, out.packets);
                }
                continue;
            }
            if (rc < 0) out.warning = lastError(out.packets);
            break;
        }
        out.bytesRead = position();
        if (progress) progress(out.bytesRead, m_info.fileSize, out.packets);
        return out;
    }

    /// Current byte offset in the file.
    [[nodiscard]] std::int64_t position() const;

private:
    CaptureReader() = default;
    int next(RawPacket &pkt); // 1 packet, 0 end, -1 error
    QString lastError(std::uint64_t packetsRead) const;

    struct Impl;
    std::unique_ptr<Impl> d;
    CaptureFileInfo m_info;
    // pcap only: file offset just past the last complete record, so that a damaged record can
    // be reported where it starts (pcapng blocks carry options whose size libpcap hides).
    std::int64_t m_recordEnd = 0;
};

} // namespace ikev2wb
