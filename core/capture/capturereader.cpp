#include "capturereader.h"

#include "../dissect/dissector.h"

#include <QFile>
#include <QFileInfo>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

namespace ikev2wb {

struct CaptureReader::Impl
{
    FILE *file = nullptr;
    pcap_t *pcap = nullptr;
    std::vector<char> buffer;
    ~Impl()
    {
        if (pcap)
            pcap_close(pcap); // closes `file` too
        else if (file)
            std::fclose(file);
    }
};

CaptureReader::~CaptureReader() = default;

namespace {

/// Recognises what a non-capture file probably is, to make the error message useful.
QString describeMagic(const unsigned char *m, std::size_t n)
{
    if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
        return QStringLiteral("it is gzip-compressed; decompress it first (gunzip)");
    if (n >= 4 && std::memcmp(m, "PK\x03\x04", 4) == 0) return QStringLiteral("it is a ZIP archive");
    if (n >= 5 && std::memcmp(m, "%PDF-", 5) == 0) return QStringLiteral("it is a PDF document");
    if (n >= 4 && std::memcmp(m,
                              "\x7f"
                              "ELF",
                              4) == 0)
        return QStringLiteral("it is an executable");
    bool text = n > 0;
    for (std::size_t i = 0; i < n; ++i)
        if (m[i] < 0x09 || (m[i] > 0x0d && m[i] < 0x20 && m[i] != 0x1b)) text = false;
    if (text) return QStringLiteral("it looks like a text file");
    return QStringLiteral("it has no pcap or pcapng signature");
}

} // namespace

int openCaptureFile(const QString &path, QString *why)
{
    const QByteArray native = QFile::encodeName(path);
    const auto notRegular = [why] {
        *why = QStringLiteral("not a regular file (a FIFO, socket or device): not read");
        return -1;
    };
    struct stat st = {};
    if (::stat(native.constData(), &st) != 0) {
        *why = QString::fromLocal8Bit(std::strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) return notRegular();
    const int fd = ::open(native.constData(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        *why = QString::fromLocal8Bit(std::strerror(errno));
        return -1;
    }
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
        ::close(fd);
        return notRegular(); // replaced between the two looks
    }
    return fd;
}

int CaptureReader::duplicateHandle() const
{
    return d && d->file ? ::fcntl(fileno(d->file), F_DUPFD_CLOEXEC, 0) : -1;
}

std::unique_ptr<CaptureReader> CaptureReader::open(const QString &path, QString *error)
{
    return open(path, -1, error);
}

std::unique_ptr<CaptureReader> CaptureReader::open(const QString &path, int fd, QString *error)
{
    auto fail = [&](const QString &why) {
        if (fd >= 0) ::close(fd);
        if (error) *error = QStringLiteral("%1: %2").arg(path, why);
        return std::unique_ptr<CaptureReader>();
    };
    const QFileInfo fi(path);
    if (!fi.exists()) return fail(QStringLiteral("no such file"));
    if (fi.isDir()) return fail(QStringLiteral("is a directory, not a capture file"));
    if (!fi.isReadable()) return fail(QStringLiteral("cannot be read (permission denied)"));

    std::unique_ptr<CaptureReader> r(new CaptureReader);
    r->d = std::make_unique<Impl>();
    if (fd < 0) {
        QString why;
        fd = openCaptureFile(path, &why);
        if (fd < 0) return fail(why);
    }
    struct stat st = {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return fail(QStringLiteral("not a regular file (a FIFO, socket or device): not read"));
    if (::lseek(fd, 0, SEEK_SET) != 0) return fail(QString::fromLocal8Bit(std::strerror(errno)));
    r->d->file = ::fdopen(fd, "rb");
    if (!r->d->file) return fail(QString::fromLocal8Bit(std::strerror(errno)));
    fd = -1; // the stream owns it now

    unsigned char magic[16] = {};
    const std::size_t got = std::fread(magic, 1, sizeof magic, r->d->file);
    std::rewind(r->d->file);
    if (got < 4)
        return fail(QStringLiteral("file is empty or shorter than a capture header (%1 bytes)").arg(got));
    const std::uint32_t m32 = std::uint32_t(magic[0]) << 24 | std::uint32_t(magic[1]) << 16 |
                              std::uint32_t(magic[2]) << 8 | magic[3];
    QString format;
    bool nano = false;
    switch (m32) {
    case 0xa1b2c3d4:
    case 0xd4c3b2a1:
        format = QStringLiteral("pcap");
        break;
    case 0xa1b23c4d:
    case 0x4d3cb2a1:
        format = QStringLiteral("pcap");
        nano = true;
        break;
    case 0x0a0d0d0a:
        format = QStringLiteral("pcapng");
        break;
    default:
        return fail(QStringLiteral("not a pcap or pcapng capture: %1").arg(describeMagic(magic, got)));
    }

    // A 128 KiB stdio buffer: libpcap reads record by record and the default 4 KiB buffer costs
    // several times the throughput on large files. Not larger: the kernel's copy of each refill
    // then stays in the core's L2 cache instead of pushing the analyzers' tables out of it
    // (analyze 5 ms less CPU at 1M than with 1 MiB; the bare loop reads the same either way).
    r->d->buffer.resize(std::size_t(128) << 10);
    std::setvbuf(r->d->file, r->d->buffer.data(), _IOFBF, r->d->buffer.size());

    char errbuf[PCAP_ERRBUF_SIZE] = {};
    r->d->pcap = pcap_fopen_offline_with_tstamp_precision(r->d->file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!r->d->pcap) {
        r->d->file = nullptr; // libpcap closed it on failure
        return fail(QStringLiteral("cannot read the %1 header (libpcap: %2)")
                        .arg(format, QString::fromLocal8Bit(errbuf)));
    }
    const int dlt = pcap_datalink(r->d->pcap);
    if (!isSupportedLinkType(dlt)) {
        const char *name = pcap_datalink_val_to_name(dlt);
        return fail(QStringLiteral("unsupported link type %1 (%2); supported are Ethernet (with VLAN tags), "
                                   "Linux cooked SLL/SLL2, raw IPv4/IPv6 and BSD loopback")
                        .arg(dlt)
                        .arg(name ? QString::fromLatin1(name) : QStringLiteral("unknown")));
    }
    r->m_info.path = path;
    r->m_info.format = format;
    r->m_info.linkType = dlt;
    r->m_info.linkTypeName = QString::fromLatin1(linkTypeName(dlt));
    r->m_info.snapLength = pcap_snapshot(r->d->pcap);
    r->m_info.fileSize = fi.size();
    r->m_info.nanosecondFile = nano;
    if (format == QLatin1String("pcap")) r->m_recordEnd = 24; // file header
    return r;
}

namespace {
/// CaptureReader::next() for `pcap`, whose record end (pcap files) is `recordEnd`: inline in
/// readHere()'s loop, which runs it for every record (a call there cost 13 instructions a
/// packet, callgrind).
[[gnu::always_inline]] inline int nextRecord(pcap_t *pcap, std::int64_t &recordEnd, RawPacket &pkt)
{
    pcap_pkthdr *hdr = nullptr;
    const u_char *data = nullptr;
    const int rc = pcap_next_ex(pcap, &hdr, &data);
    if (rc == 1) {
        // With nanosecond precision requested, tv_usec holds nanoseconds. A pcapng timestamp
        // can name any second up to 2^64 (or a negative time_t); clamp to [0, 2^62) ns
        // (year 2116, beyond classic pcap's 2106) so the product and any later difference of
        // two timestamps stay inside int64.
        constexpr std::int64_t kMaxSec = (std::int64_t(1) << 62) / 1'000'000'000LL - 1;
        const std::int64_t sec = std::clamp<std::int64_t>(hdr->ts.tv_sec, 0, kMaxSec);
        pkt.tsNs = sec * 1'000'000'000LL + std::int64_t(hdr->ts.tv_usec);
        pkt.capturedLength = hdr->caplen;
        pkt.originalLength = hdr->len;
        pkt.presentLength = hdr->caplen;
        pkt.data = data;
        if (recordEnd > 0) recordEnd += 16 + std::int64_t(hdr->caplen);
        return 1;
    }
    if (rc == PCAP_ERROR_BREAK) return 0;
    return -1;
}
} // namespace

int CaptureReader::next(RawPacket &pkt)
{
    return nextRecord(d->pcap, m_recordEnd, pkt);
}

std::optional<std::int64_t> CaptureReader::firstPacketTime()
{
    RawPacket pkt;
    if (next(pkt) != 1) return std::nullopt;
    return pkt.tsNs;
}

QString CaptureReader::lastError(std::uint64_t packetsRead) const
{
    if (m_recordEnd > 0)
        return QStringLiteral(
                   "%1: read stopped after %2 packets: the record at byte %3 of %4 is cut short or damaged: "
                   "%5; the result is partial")
            .arg(m_info.path, QString::number(packetsRead), QString::number(m_recordEnd),
                 QString::number(m_info.fileSize), QString::fromLocal8Bit(pcap_geterr(d->pcap)));
    return QStringLiteral("%1: read stopped after %2 packets at byte %3 of %4: %5; the result is partial")
        .arg(m_info.path, QString::number(packetsRead), QString::number(position()),
             QString::number(m_info.fileSize), QString::fromLocal8Bit(pcap_geterr(d->pcap)));
}

std::int64_t CaptureReader::position() const
{
    if (!d || !d->pcap) return 0;
    FILE *f = pcap_file(d->pcap);
    if (!f) return 0;
    const long pos = std::ftell(f);
    return pos < 0 ? 0 : pos;
}

// ---------------------------------------------------------------------------------------------
// ReadPipeline: libpcap (fread, the copy into its buffer) runs on its own thread and copies each
// record into one of a few fixed blocks; the caller's thread dissects them meanwhile. Memory is
// bounded by kBlocks × kBlockBytes (plus any block enlarged for an oversized record).

namespace {
constexpr std::size_t kBlocks = 8;
constexpr std::size_t kBlockBytes = std::size_t(512) << 10;

/// Records that carry nothing: no captured byte, or zeros where the link header should be.
/// Real captures hold none, but each costs a 32-byte index record for 16 bytes of file — or
/// for no disk at all in a sparse file: a 2 GiB sparse file after a valid pcap header ran for
/// 50 s of CPU and took 4.2 GB. Past kVoidBudget bytes of them in one file the read stops.
constexpr std::int64_t kVoidBudget = std::int64_t(16) << 20;

bool isVoidRecord(const RawPacket &pkt)
{
    const std::uint32_t n = std::min<std::uint32_t>(pkt.capturedLength, 64);
    for (std::uint32_t i = 0; i < n; ++i)
        if (pkt.data[i] != 0) return false;
    return true;
}

} // namespace

struct ReadPipeline::Impl
{
    CaptureReader &reader;
    std::vector<std::unique_ptr<RecordBlock>> storage;
    mutable std::mutex mutex;
    std::condition_variable cv;
    std::deque<RecordBlock *> full; // in file order
    std::vector<RecordBlock *> free;
    RecordBlock *current = nullptr; // held by the caller
    bool closed = false;            // the reading thread has published its last block
    bool stop = false;              // the caller wants no more
    QString warning;
    std::int64_t endPosition = 0;
    std::thread thread;

    explicit Impl(CaptureReader &r) : reader(r)
    {
        for (std::size_t i = 0; i < kBlocks; ++i) {
            auto b = std::make_unique<RecordBlock>();
            free.push_back(b.get());
            storage.push_back(std::move(b));
        }
    }

    RecordBlock *acquire()
    {
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return stop || !free.empty(); });
        if (stop) return nullptr;
        RecordBlock *b = free.back();
        free.pop_back();
        b->used = 0;
        b->count = 0;
        return b;
    }

    void publish(RecordBlock *b)
    {
        {
            const std::lock_guard lock(mutex);
            full.push_back(b);
        }
        cv.notify_all();
    }

    void produce()
    {
        RawPacket pkt;
        std::uint64_t packets = 0;
        CaptureReader::VoidRecords voids;
        QString why;
        try {
            RecordBlock *b = acquire();
            while (b) {
                const int rc = reader.next(pkt);
                if (rc != 1) {
                    if (rc < 0) why = reader.lastError(packets);
                    break;
                }
                if (isVoidRecord(pkt)) {
                    why = reader.countVoid(voids, pkt, packets);
                    if (!why.isEmpty()) break;
                } else {
                    voids.runStart = -1;
                }
                ++packets;
                if (reader.m_prefixOnly)
                    pkt.presentLength = static_cast<std::uint32_t>(
                        Dissector::bytesToDissect(reader.m_info.linkType, pkt.bytes(), pkt.originalLength));
                const std::size_t need = sizeof(RecordHeader) + RecordBlock::padded(pkt.presentLength);
                if (b->used + need > b->capacity && b->count > 0) {
                    b->endPosition = reader.position();
                    publish(b);
                    b = acquire();
                    if (!b) break;
                }
                if (need > b->capacity) {
                    const std::size_t cap = std::max(kBlockBytes, need);
                    b->bytes.reset(new std::uint8_t[cap]);
                    b->capacity = cap;
                }
                const RecordHeader h{pkt.tsNs, pkt.capturedLength, pkt.originalLength, pkt.presentLength};
                std::memcpy(b->bytes.get() + b->used, &h, sizeof h);
                if (pkt.presentLength)
                    std::memcpy(b->bytes.get() + b->used + sizeof h, pkt.data, pkt.presentLength);
                b->used += need;
                ++b->count;
            }
            if (b) {
                b->endPosition = reader.position();
                publish(b);
            }
        } catch (const std::bad_alloc &) {
            why = QStringLiteral("%1: out of memory while reading after %2 packets; the result is partial")
                      .arg(reader.info().path, QString::number(packets));
        }
        const std::lock_guard lock(mutex);
        warning = why;
        endPosition = reader.position();
        closed = true;
        cv.notify_all();
    }
};

QString CaptureReader::countVoid(VoidRecords &v, const RawPacket &pkt, std::uint64_t packets) const
{
    const std::int64_t end = position();
    // pcap: 16-byte record header; pcapng: an Enhanced Packet Block without options.
    const bool pcapng = m_recordEnd == 0;
    const std::int64_t size = pcapng ? 32 + ((std::int64_t(pkt.capturedLength) + 3) & ~std::int64_t(3))
                                     : 16 + std::int64_t(pkt.capturedLength);
    const std::int64_t start = std::max<std::int64_t>(0, (pcapng ? end : m_recordEnd) - size);
    if (v.first < 0) v.first = start;
    if (v.runStart < 0) v.runStart = start;
    v.bytes += size;
    if (v.bytes < kVoidBudget) return {};
    const CaptureFileInfo &fi = m_info;
    if (v.runStart == v.first)
        return QStringLiteral("%1: read stopped after %2 packets: no valid packet in the last %3 MiB: the "
                              "records from byte %4 to byte %5 of %6 are empty or all zeros (a zero-filled "
                              "or damaged file); the result is partial")
            .arg(fi.path, QString::number(packets), QString::number(kVoidBudget >> 20),
                 QString::number(v.runStart), QString::number(end), QString::number(fi.fileSize));
    return QStringLiteral("%1: read stopped after %2 packets at byte %3 of %4: %5 MiB of records are empty "
                          "or all zeros (the first at byte %6; a damaged file); the result is partial")
        .arg(fi.path, QString::number(packets), QString::number(end), QString::number(fi.fileSize),
             QString::number(kVoidBudget >> 20), QString::number(v.first));
}

ReadOutcome CaptureReader::readHere(void (*sink)(void *, const RawPacket &), void *context,
                                    const ProgressFn &progress, const std::atomic_bool *cancel)
{
    // As the reading thread and read()'s loop together, with libpcap's buffer handed over as is.
    ReadOutcome out;
    RawPacket pkt;
    VoidRecords voids;
    QString why;
    for (;;) {
        const int rc = nextRecord(d->pcap, m_recordEnd, pkt);
        if (rc != 1) {
            if (rc < 0) why = lastError(out.packets);
            break;
        }
        if (isVoidRecord(pkt)) {
            why = countVoid(voids, pkt, out.packets);
            if (!why.isEmpty()) break;
        } else {
            voids.runStart = -1;
        }
        sink(context, pkt);
        ++out.packets;
        if ((out.packets & 0xfff) == 0) {
            if (cancel && cancel->load(std::memory_order_relaxed)) {
                out.cancelled = true;
                break;
            }
            if (progress && (out.packets & 0xffff) == 0) progress(position(), m_info.fileSize, out.packets);
        }
    }
    if (!out.cancelled) out.warning = why;
    out.bytesRead = position();
    if (progress) progress(out.bytesRead, m_info.fileSize, out.packets);
    return out;
}

ReadPipeline::ReadPipeline(CaptureReader &reader) : d(std::make_unique<Impl>(reader))
{
    d->thread = std::thread([this] { d->produce(); });
}

ReadPipeline::~ReadPipeline()
{
    abandon();
    if (d->thread.joinable()) d->thread.join();
}

const RecordBlock *ReadPipeline::next()
{
    std::unique_lock lock(d->mutex);
    if (d->current) {
        d->free.push_back(d->current);
        d->current = nullptr;
        d->cv.notify_all();
    }
    d->cv.wait(lock, [&] { return d->stop || !d->full.empty() || d->closed; });
    if (d->stop || d->full.empty()) return nullptr;
    d->current = d->full.front();
    d->full.pop_front();
    return d->current;
}

void ReadPipeline::abandon()
{
    {
        const std::lock_guard lock(d->mutex);
        d->stop = true;
    }
    d->cv.notify_all();
}

QString ReadPipeline::warning() const
{
    const std::lock_guard lock(d->mutex);
    return d->warning;
}

std::int64_t ReadPipeline::endPosition() const
{
    const std::lock_guard lock(d->mutex);
    return d->endPosition;
}

} // namespace ikev2wb
