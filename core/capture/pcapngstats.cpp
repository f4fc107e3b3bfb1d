#include "pcapngstats.h"

#include <QFile>

#include <unistd.h>

#include <cstring>
#include <map>
#include <vector>

namespace ikev2wb {

namespace {

constexpr std::uint32_t kShb = 0x0A0D0D0A;
constexpr std::uint32_t kIsb = 5;
constexpr std::uint32_t kMaxIsb = 64 * 1024;
constexpr qint64 kChunk = 1 << 20;

std::uint32_t rd32(const unsigned char *p, bool swap)
{
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return swap ? __builtin_bswap32(v) : v;
}
std::uint16_t rd16(const unsigned char *p, bool swap)
{
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return swap ? __builtin_bswap16(v) : v;
}
std::uint64_t rd64(const unsigned char *p, bool swap)
{
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return swap ? __builtin_bswap64(v) : v;
}

/// Reads through a window of the file so that walking millions of small blocks costs a few
/// large reads, not a system call per block.
class Window
{
public:
    explicit Window(QFile &f) : m_file(f), m_size(f.size()) {}
    [[nodiscard]] qint64 size() const { return m_size; }
    /// Pointer to `n` bytes at `offset`, or nullptr if the file ends before.
    const unsigned char *at(qint64 offset, qint64 n)
    {
        if (offset < 0 || n < 0 || offset + n > m_size) return nullptr;
        if (offset < m_start || offset + n > m_start + qint64(m_buf.size())) {
            const qint64 want = std::max(kChunk, n);
            if (!m_file.seek(offset)) return nullptr;
            m_buf.resize(std::size_t(want));
            const qint64 got = m_file.read(reinterpret_cast<char *>(m_buf.data()), want);
            if (got < n) return nullptr;
            m_buf.resize(std::size_t(got));
            m_start = offset;
        }
        return m_buf.data() + (offset - m_start);
    }

private:
    QFile &m_file;
    qint64 m_size;
    qint64 m_start = 0;
    std::vector<unsigned char> m_buf;
};

} // namespace

bool readIsbCounters(const unsigned char *b, std::uint32_t len, bool swap, IsbCounters *out, QString *why)
{
    IsbCounters c;
    bool ok = true;
    // Options start after type, length, interface id and the two timestamp words.
    std::uint32_t o = 20;
    while (len >= 24 && o + 4 <= len - 4) {
        const std::uint16_t code = rd16(b + o, swap);
        const std::uint16_t olen = rd16(b + o + 2, swap);
        if (code == 0) break;
        const std::uint32_t padded = (std::uint32_t(olen) + 3U) & ~3U;
        if (o + 4 + padded > len - 4) {
            *why = QStringLiteral("option %1 runs past the block").arg(code);
            ok = false;
            break;
        }
        if (olen == 8) {
            const std::uint64_t v = rd64(b + o + 4, swap);
            switch (code) {
            case 4:
                c.recv = v, c.hasRecv = true;
                break;
            case 5:
                c.ifDrop = v, c.hasIfDrop = true;
                break;
            case 7:
                c.osDrop = v, c.hasOsDrop = true;
                break;
            case 8:
                c.delivered = v, c.hasDelivered = true;
                break;
            default:
                break;
            }
        }
        o += 4 + padded;
    }
    *out = c;
    return ok;
}

void addIsbCounters(CaptureDrops &d, const IsbCounters &c)
{
    ++d.interfaces;
    d.received += c.recv;
    d.ifDrop += c.ifDrop;
    d.osDrop += c.osDrop;
    d.delivered += c.delivered;
    d.haveReceived = d.haveReceived || c.hasRecv;
    d.haveIfDrop = d.haveIfDrop || c.hasIfDrop;
    d.haveOsDrop = d.haveOsDrop || c.hasOsDrop;
    d.haveDelivered = d.haveDelivered || c.hasDelivered;
}

namespace {
PcapngStatsScan scanBlocks(QFile &f);
}

PcapngStatsScan scanPcapngStatistics(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return scanBlocks(f);
}

PcapngStatsScan scanPcapngStatistics(int fd)
{
    QFile f;
    if (fd < 0 || !f.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        if (fd >= 0) ::close(fd);
        return {};
    }
    return scanBlocks(f);
}

namespace {
PcapngStatsScan scanBlocks(QFile &f)
{
    PcapngStatsScan out;
    Window w(f);
    const unsigned char *first = w.at(0, 12);
    if (!first || rd32(first, false) != kShb) return out; // not pcapng

    // Key: (section number, interface id) -> counters of its last ISB.
    std::map<std::pair<int, std::uint32_t>, IsbCounters> last;
    int section = -1;
    bool swap = false;
    qint64 off = 0;
    while (off < w.size()) {
        const unsigned char *h = w.at(off, 12);
        if (!h) {
            out.warning = QStringLiteral("pcapng block at byte %1 is cut short (%2 bytes left)")
                              .arg(off)
                              .arg(w.size() - off);
            break;
        }
        const std::uint32_t type = rd32(h, false); // the SHB type reads the same either way
        if (type == kShb) {
            const std::uint32_t bom = rd32(h + 8, false);
            if (bom == 0x1A2B3C4D)
                swap = false;
            else if (bom == 0x4D3C2B1A)
                swap = true;
            else {
                out.warning =
                    QStringLiteral("pcapng section header at byte %1 has no valid byte-order magic").arg(off);
                break;
            }
            ++section;
        }
        const std::uint32_t len = rd32(h + 4, swap);
        if (len < 12 || len % 4 != 0 || qint64(len) > w.size() - off) {
            out.warning = QStringLiteral("pcapng block at byte %1 has an invalid length %2 (file size %3)")
                              .arg(off)
                              .arg(len)
                              .arg(w.size());
            break;
        }
        if (rd32(h, swap) == kIsb && len >= 24 && len <= kMaxIsb) {
            const unsigned char *b = w.at(off, len);
            if (!b) break;
            const std::uint32_t ifId = rd32(b + 8, swap);
            IsbCounters c;
            QString why;
            if (!readIsbCounters(b, len, swap, &c, &why))
                out.warning = QStringLiteral("pcapng statistics block at byte %1: %2").arg(off).arg(why);
            last[{section, ifId}] = c;
        }
        off += len;
    }
    if (last.empty()) return out;
    CaptureDrops d;
    for (const auto &[key, c] : last)
        addIsbCounters(d, c);
    out.drops = d;
    return out;
}
} // namespace

QString captureDropsText(const CaptureDrops &d)
{
    if (!d.haveIfDrop && !d.haveOsDrop) return {};
    const QString of = d.haveReceived ? QStringLiteral(" of %1 received").arg(d.received) : QString();
    if (d.dropped() == 0)
        return QStringLiteral("the capture itself dropped no packets (kernel 0, interface 0)%1").arg(of);
    return QStringLiteral("the capture itself dropped %1 packets (kernel %2, interface %3)%4: these are not "
                          "transit loss")
        .arg(d.dropped())
        .arg(d.osDrop)
        .arg(d.ifDrop)
        .arg(of);
}

} // namespace ikev2wb
