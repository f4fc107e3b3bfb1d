#pragma once
// Streams packets out of a pcap or pcapng file through libpcap. Nothing is kept in memory
// beyond the current record; progress (bytes read of the file size) and cancellation reach
// the caller; a truncated last record ends the read with a warning, not an error, and so do
// 16 MiB of records that carry nothing (a sparse or zero-filled file).
#include "../util/bytes.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>

namespace ikev2wb {

/// One record as libpcap hands it over; `data` is valid only during the callback.
struct RawPacket
{
    std::int64_t tsNs = 0;            // nanoseconds since the epoch (pcap µs files are scaled)
    std::uint32_t capturedLength = 0; // bytes of the frame the capture holds
    std::uint32_t originalLength = 0;
    /// Bytes at `data`: capturedLength, or fewer when the reader hands over only what the
    /// dissector reads (CaptureReader::setDissectorPrefixOnly).
    std::uint32_t presentLength = 0;
    const std::uint8_t *data = nullptr;
    [[nodiscard]] ByteView bytes() const { return {data, presentLength}; }
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

/// Records copied out of libpcap's buffer by the reading thread: RecordHeader, then the
/// captured bytes padded to 8.
struct RecordHeader
{
    std::int64_t tsNs;
    std::uint32_t capturedLength;
    std::uint32_t originalLength;
    std::uint32_t presentLength; // bytes that follow (before padding)
};
struct RecordBlock
{
    std::unique_ptr<std::uint8_t[]> bytes;
    std::size_t capacity = 0;
    std::size_t used = 0;
    std::uint32_t count = 0;
    std::int64_t endPosition = 0; // file offset reached when the block was handed over
    static constexpr std::size_t padded(std::uint32_t n) { return (std::size_t(n) + 7) & ~std::size_t(7); }
};

class CaptureReader;
/// The reading thread and the bounded ring of blocks between it and the caller.
class ReadPipeline final
{
public:
    explicit ReadPipeline(CaptureReader &reader); // starts the reading thread
    ~ReadPipeline();                              // stops it and waits for it
    ReadPipeline(const ReadPipeline &) = delete;
    ReadPipeline &operator=(const ReadPipeline &) = delete;
    /// Returns the previous block to the ring and waits for the next full one; nullptr at the end.
    const RecordBlock *next();
    /// The caller stops early: the reading thread ends at its next block.
    void abandon();
    /// After next() returned nullptr: how the read ended.
    [[nodiscard]] QString warning() const;
    [[nodiscard]] std::int64_t endPosition() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

using ProgressFn =
    std::function<void(std::int64_t bytesRead, std::int64_t totalBytes, std::uint64_t packets)>;

/// Opens `path` to read as a capture may be: a regular file only. A FIFO, socket or device
/// (named directly, or a folder's entry that links to one) is refused from its stat and never
/// opened (a FIFO's open waited for a writer for ever; a device's open may do something); the
/// descriptor is opened non-blocking, checked again with fstat, then made blocking. -1 with
/// `*why` (one clause: "not a regular file ...", the system's reason) on failure.
int openCaptureFile(const QString &path, QString *why);

class CaptureReader final
{
public:
    ~CaptureReader();
    CaptureReader(const CaptureReader &) = delete;
    CaptureReader &operator=(const CaptureReader &) = delete;

    /// Opens a capture. On failure returns nullptr and sets `error` to one sentence naming the
    /// file and the reason (missing, unreadable, not a capture, unsupported link type, ...).
    static std::unique_ptr<CaptureReader> open(const QString &path, QString *error);
    /// The same from `fd`, a descriptor of `path` opened already (read from its start whatever
    /// its offset; the reader owns it and closes it, also on failure): a capture set looks at
    /// each file and later reads it through one open.
    static std::unique_ptr<CaptureReader> open(const QString &path, int fd, QString *error);

    [[nodiscard]] const CaptureFileInfo &info() const { return m_info; }
    /// A new descriptor of the open file (the caller closes it; -1 on failure), so a second look
    /// at the file (pcapng statistics blocks) does not open it again.
    [[nodiscard]] int duplicateHandle() const;

    /// Hand over of each record only the leading bytes Dissector::dissect reads
    /// (Dissector::bytesToDissect; RawPacket::presentLength): for a sink that only dissects,
    /// most ESP packets then cost ~60 bytes of copying instead of their whole length.
    void setDissectorPrefixOnly(bool on) { m_prefixOnly = on; }
    /// Read without the reading thread (read() calls libpcap on the calling thread and hands over
    /// its buffer, no copy): less CPU for a caller that keeps its cores busy otherwise, e.g. two
    /// captures read side by side (compare: 12 % less CPU for two 5M-packet files).
    void setReaderThread(bool on) { m_readerThread = on; }

    /// Calls `sink` for every record, on the calling thread. `progress` is called at most every
    /// 64 Ki records (the caller throttles further). `cancel` is polled every 4 Ki records.
    ///
    /// libpcap runs on a second thread that copies each record into a small ring of blocks
    /// (bounded: a few MiB whatever the file size), so reading the file and working on its
    /// packets overlap on two cores (unless setReaderThread(false)). Records reach `sink` in file
    /// order.
    template <typename Sink>
    ReadOutcome read(Sink &&sink, const ProgressFn &progress = {}, const std::atomic_bool *cancel = nullptr)
    {
        if (!m_readerThread) {
            using S = std::remove_reference_t<Sink>;
            return readHere([](void *s, const RawPacket &p) { (*static_cast<S *>(s))(p); },
                            const_cast<void *>(static_cast<const void *>(&sink)), progress, cancel);
        }
        ReadOutcome out;
        RawPacket pkt;
        ReadPipeline pipe(*this);
        bool stopped = false;
        std::int64_t reached = 0;
        while (!stopped) {
            const RecordBlock *block = pipe.next();
            if (!block) break;
            reached = block->endPosition;
            const std::uint8_t *p = block->bytes.get();
            for (std::uint32_t i = 0; i < block->count; ++i) {
                RecordHeader h;
                std::memcpy(&h, p, sizeof h);
                p += sizeof h;
                pkt.tsNs = h.tsNs;
                pkt.capturedLength = h.capturedLength;
                pkt.originalLength = h.originalLength;
                pkt.presentLength = h.presentLength;
                pkt.data = p;
                p += RecordBlock::padded(h.presentLength);
                sink(pkt);
                ++out.packets;
                if ((out.packets & 0xfff) == 0) {
                    if (cancel && cancel->load(std::memory_order_relaxed)) {
                        stopped = true;
                        break;
                    }
                    if (progress && (out.packets & 0xffff) == 0)
                        progress(reached, m_info.fileSize, out.packets);
                }
            }
        }
        if (stopped) {
            out.cancelled = true;
            pipe.abandon();
            out.bytesRead = reached;
        } else {
            out.warning = pipe.warning();
            out.bytesRead = pipe.endPosition();
        }
        if (progress) progress(out.bytesRead, m_info.fileSize, out.packets);
        return out;
    }

    /// Reads the first record and returns its time (ns since the epoch); no value when the file
    /// holds no packet or its first record is damaged. The record is consumed: call it on a
    /// reader opened only to look (a capture set orders its files by their first packet).
    std::optional<std::int64_t> firstPacketTime();

    /// Current byte offset in the file.
    [[nodiscard]] std::int64_t position() const;

private:
    friend class ReadPipeline;
    CaptureReader() = default;
    int next(RawPacket &pkt); // 1 packet, 0 end, -1 error
    QString lastError(std::uint64_t packetsRead) const;
    /// read() on the calling thread: `sink(context, packet)` for every record.
    ReadOutcome readHere(void (*sink)(void *, const RawPacket &), void *context, const ProgressFn &progress,
                         const std::atomic_bool *cancel);
    /// Records that carry nothing (empty, or zeros where the link header should be), counted
    /// until kVoidBudget bytes of them end the read.
    struct VoidRecords
    {
        std::int64_t bytes = 0;     // file bytes taken by void records so far
        std::int64_t first = -1;    // offset of the first void record
        std::int64_t runStart = -1; // offset of the first record of the current run, -1 outside one
    };
    /// Counts a void record; returns the reason to stop once the budget is spent.
    QString countVoid(VoidRecords &v, const RawPacket &pkt, std::uint64_t packets) const;

    struct Impl;
    std::unique_ptr<Impl> d;
    CaptureFileInfo m_info;
    // pcap only: file offset just past the last complete record, so that a damaged record can
    // be reported where it starts (pcapng blocks carry options whose size libpcap hides).
    std::int64_t m_recordEnd = 0;
    bool m_prefixOnly = false;
    bool m_readerThread = true;
};

} // namespace ikev2wb
