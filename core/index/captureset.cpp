#include "captureset.h"

#include "../util/textformat.h"
#include "indexbuilder.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <optional>

namespace ikev2wb {

HeldFile &HeldFile::operator=(HeldFile &&o) noexcept
{
    if (this != &o) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = o.release();
    }
    return *this;
}

HeldFile::~HeldFile()
{
    if (m_fd >= 0) ::close(m_fd);
}

int HeldFile::duplicate() const
{
    return m_fd >= 0 ? ::fcntl(m_fd, F_DUPFD_CLOEXEC, 0) : -1;
}

namespace {

/// A pcap or pcapng signature in the first four bytes of a regular file (openCaptureFile: a FIFO,
/// socket or device in the folder, or a link to one, is not opened; `*notRegular` says so).
/// `keep` (null: none): where the file stays open when it is a capture.
bool hasCaptureSignature(const QString &path, HeldFile *keep, bool *notRegular)
{
    QString why;
    HeldFile f(openCaptureFile(path, &why));
    *notRegular = !f.isOpen() && why.startsWith(QLatin1String("not a regular file"));
    if (!f.isOpen()) return false;
    unsigned char m[4] = {};
    if (::pread(f.get(), m, 4, 0) != 4) return false;
    const std::uint32_t v =
        std::uint32_t(m[0]) << 24 | std::uint32_t(m[1]) << 16 | std::uint32_t(m[2]) << 8 | m[3];
    const bool capture =
        v == 0xa1b2c3d4 || v == 0xd4c3b2a1 || v == 0xa1b23c4d || v == 0x4d3cb2a1 || v == 0x0a0d0d0a;
    if (capture && keep) *keep = std::move(f);
    return capture;
}

QString secondsText(std::int64_t ns)
{
    return QString::number(double(ns) / 1e9, 'f', 3);
}

QString fileName(const CaptureSetFile &f)
{
    return QFileInfo(f.path).fileName();
}

} // namespace

CaptureSetInput expandCaptureSet(const QStringList &paths)
{
    CaptureSetInput in;
    QSet<QString> seen; // canonical paths (a folder may hold 100,000 files: no list search)
    const auto add = [&](const QString &path, HeldFile held) {
        const QString canonical = QFileInfo(path).canonicalFilePath();
        if (seen.contains(canonical)) {
            in.notes << QStringLiteral("%1: given twice, read once").arg(path);
            return;
        }
        seen.insert(canonical);
        in.files << path;
        in.held.push_back(std::move(held));
    };
    int held = 0;
    for (const QString &path : paths) {
        const QFileInfo fi(path);
        if (!fi.exists()) {
            in.error = QStringLiteral("%1: no such file or folder").arg(path);
            return in;
        }
        if (!fi.isDir()) {
            add(path, HeldFile());
            continue;
        }
        const QDir dir(path);
        if (!fi.isReadable() || !fi.isExecutable()) {
            in.error = QStringLiteral("%1: the folder cannot be read (permission denied)").arg(path);
            return in;
        }
        int captures = 0, skipped = 0;
        const auto skip = [&](const QString &note) {
            if (++skipped <= 20) in.notes << note;
        };
        const QFileInfoList entries =
            dir.entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden, QDir::Name);
        for (const QFileInfo &e : entries) {
            if (e.isDir()) {
                skip(QStringLiteral("%1: a sub-folder, skipped (folders are not read recursively)")
                         .arg(e.filePath()));
                continue;
            }
            HeldFile file;
            bool special = false;
            if (!hasCaptureSignature(e.filePath(), held < CaptureSetInput::kMaxHeld ? &file : nullptr,
                                     &special)) {
                skip(special ? QStringLiteral("%1: not a regular file (a FIFO, socket or device), skipped")
                                   .arg(e.filePath())
                             : QStringLiteral("%1: not a pcap or pcapng capture, skipped").arg(e.filePath()));
            } else {
                held += file.isOpen();
                add(e.filePath(), std::move(file));
                ++captures;
            }
        }
        if (skipped > 20)
            in.notes
                << QStringLiteral("%1: %2 more entries skipped").arg(path, QString::number(skipped - 20));
        if (captures == 0) {
            in.error = QStringLiteral("%1: the folder holds no pcap or pcapng capture (%2 entries looked at)")
                           .arg(path, QString::number(entries.size()));
            return in;
        }
    }
    if (in.files.isEmpty()) in.error = QStringLiteral("no capture file given");
    return in;
}

std::vector<std::int64_t> ringNumbers(const QStringList &names)
{
    if (names.size() < 2) return {};
    qsizetype prefix = names.front().size();
    for (const QString &n : names) {
        qsizetype i = 0;
        while (i < prefix && i < n.size() && n[i] == names.front()[i])
            ++i;
        prefix = i;
    }
    // The shared part may end inside the counter ("x_0000" of x_00001 and x_00002).
    while (prefix > 0 && names.front()[prefix - 1].isDigit())
        --prefix;
    std::vector<std::int64_t> numbers;
    int unnumbered = 0;
    for (qsizetype k = 0; k < names.size(); ++k) {
        const QString &n = names[k];
        qsizetype end = prefix;
        while (end < n.size() && n[end].isDigit())
            ++end;
        if (end == prefix) {
            // tcpdump -C: the first file carries no number, the second is 1.
            if (k != 0 || ++unnumbered > 1) return {};
            numbers.push_back(0);
            continue;
        }
        if (end - prefix > 18) return {};
        numbers.push_back(n.mid(prefix, end - prefix).toLongLong());
    }
    std::size_t ones = 0;
    for (std::size_t i = 1; i < numbers.size(); ++i) {
        if (numbers[i] <= numbers[i - 1]) return {}; // not growing with time (a wrapped ring, dates)
        if (numbers[i] - numbers[i - 1] == 1) ++ones;
    }
    if (2 * ones <= numbers.size() - 1) return {};
    return numbers;
}

QString fileGapText(const CaptureSet &set, const CaptureFileGap &gap)
{
    const CaptureSetFile &a = set.files[gap.before];
    const CaptureSetFile &b = set.files[gap.after];
    QStringList why;
    why << QStringLiteral("%1 s without a packet").arg(secondsText(gap.toNs - gap.fromNs));
    if (gap.missingFiles > 0)
        why << QStringLiteral("%1 ring number(s) missing between %2 and %3")
                   .arg(gap.missingFiles)
                   .arg(a.ringNumber)
                   .arg(b.ringNumber);
    return QStringLiteral("between files %1 and %2 (%3)")
        .arg(fileName(a), fileName(b), why.join(QStringLiteral("; ")));
}

std::unique_ptr<CaptureIndex> loadCaptureSet(const QStringList &paths, QString *error,
                                             const ProgressFn &progress, const std::atomic_bool *cancel,
                                             IndexContents contents, RecordObserver *observer,
                                             bool readerThread, const TunnelScope &scope)
{
    CaptureSetInput input = expandCaptureSet(paths);
    if (!input.error.isEmpty()) {
        if (error) *error = input.error;
        return nullptr;
    }

    // A look at each file's header and first packet: the reading order. The file stays open
    // from there to its read (the first kMaxHeld files; the others are opened again).
    struct Member
    {
        CaptureFileInfo info;
        std::optional<std::int64_t> first;
        qsizetype given = 0;
        HeldFile held;
    };
    std::vector<Member> members;
    std::int64_t totalBytes = 0;
    int held = 0;
    for (qsizetype i = 0; i < input.files.size(); ++i) {
        HeldFile &file = input.held[std::size_t(i)];
        if (!file.isOpen() && held < CaptureSetInput::kMaxHeld) {
            QString why;
            file = HeldFile(openCaptureFile(input.files[i], &why)); // else the reader says why not
        }
        auto reader = file.isOpen() ? CaptureReader::open(input.files[i], file.duplicate(), error)
                                    : CaptureReader::open(input.files[i], error);
        if (!reader) return nullptr;
        held += file.isOpen();
        Member m;
        m.held = std::move(file);
        m.info = reader->info();
        m.first = reader->firstPacketTime();
        m.given = i;
        totalBytes += m.info.fileSize;
        members.push_back(std::move(m));
    }
    // By the first packet's time; files without a packet last; ties in the order given.
    std::stable_sort(members.begin(), members.end(), [](const Member &x, const Member &y) {
        if (x.first.has_value() != y.first.has_value()) return x.first.has_value();
        return x.first && *x.first < *y.first;
    });

    IndexBuilder builder(members.front().info);
    builder.setContents(contents);
    builder.setObserver(observer);
    builder.setScope(scope);
    std::vector<CaptureSetFile> files;
    std::int64_t bytesBefore = 0;
    std::uint64_t packetsBefore = 0;
    ReadOutcome total;
    QStringList readWarnings;
    std::optional<CaptureDrops> drops;
    QString dropsFrom;
    for (Member &m : members) {
        auto reader = m.held.isOpen() ? CaptureReader::open(m.info.path, m.held.release(), error)
                                      : CaptureReader::open(m.info.path, error);
        if (!reader) return nullptr; // it was readable a moment ago: say why not now
        builder.beginFile(reader->info());
        reader->setDissectorPrefixOnly(true);
        reader->setReaderThread(readerThread);
        CaptureSetFile f;
        f.path = m.info.path;
        f.format = m.info.format;
        f.linkType = m.info.linkType;
        f.linkTypeName = m.info.linkTypeName;
        f.sizeBytes = m.info.fileSize;
        f.firstPacket = packetsBefore;
        std::int64_t prev = 0;
        const auto sink = [&](const RawPacket &p) {
            if (f.packets == 0) {
                f.firstNs = f.lastNs = p.tsNs;
            } else {
                f.longestPauseNs = std::max(f.longestPauseNs, p.tsNs - prev);
                f.firstNs = std::min(f.firstNs, p.tsNs);
                f.lastNs = std::max(f.lastNs, p.tsNs);
            }
            prev = p.tsNs;
            ++f.packets;
            builder.add(p);
        };
        ProgressFn fileProgress;
        if (progress)
            fileProgress = [&](std::int64_t done, std::int64_t, std::uint64_t packets) {
                progress(bytesBefore + done, totalBytes, packetsBefore + packets);
            };
        const ReadOutcome out = reader->read(sink, fileProgress, cancel);
        total.packets += out.packets;
        total.bytesRead = bytesBefore + out.bytesRead;
        if (!out.warning.isEmpty()) {
            f.warning = out.warning;
            readWarnings << out.warning;
        }
        if (f.format == QLatin1String("pcapng") && !out.cancelled) {
            // ISB counters are cumulative since the capture started: the latest file's are kept.
            PcapngStatsScan scan = scanPcapngStatistics(reader->duplicateHandle());
            if (scan.drops) {
                drops = scan.drops;
                dropsFrom = f.path;
            }
        }
        bytesBefore += m.info.fileSize;
        packetsBefore += out.packets;
        files.push_back(std::move(f));
        if (out.cancelled) {
            total.cancelled = true;
            break;
        }
    }
    if (!readWarnings.isEmpty())
        total.warning =
            readWarnings.join(QStringLiteral("; ")) +
            (members.size() > 1 ? QStringLiteral(" (the other files of the set were read)") : QString());
    auto index = std::make_unique<CaptureIndex>(builder.finish(total));
    index->captureDrops = drops;
    index->set.sources = paths;

    // The set's own facts: the whole, each file, the gaps and overlaps between them.
    CaptureFileInfo &whole = index->file;
    const QFileInfo firstPath(paths.front());
    whole.path = paths.size() == 1 && firstPath.isDir() ? paths.front() : files.front().path;
    whole.fileSize = totalBytes;
    QStringList formats, linkNames;
    for (const Member &m : members) {
        if (!formats.contains(m.info.format)) formats << m.info.format;
        if (!linkNames.contains(m.info.linkTypeName)) linkNames << m.info.linkTypeName;
        whole.snapLength = std::max(whole.snapLength, m.info.snapLength);
    }
    whole.format = formats.join(QStringLiteral(" + "));
    whole.linkTypeName = linkNames.join(QStringLiteral(" + "));
    index->set.name = paths.size() == 1 && firstPath.isDir()
                          ? firstPath.fileName()
                          : (files.size() > 1 ? QStringLiteral("%1 +%2 files")
                                                    .arg(QFileInfo(files.front().path).fileName(),
                                                         QString::number(files.size() - 1))
                                              : QFileInfo(files.front().path).fileName());

    QStringList names;
    std::vector<std::size_t> withPackets;
    for (std::size_t i = 0; i < files.size(); ++i)
        if (files[i].packets > 0) {
            withPackets.push_back(i);
            names << QFileInfo(files[i].path).fileName();
        }
    const std::vector<std::int64_t> numbers = ringNumbers(names);
    for (std::size_t k = 0; k < numbers.size(); ++k)
        files[withPackets[k]].ringNumber = numbers[k];

    QStringList notes = input.notes;
    if (dropsFrom.size() && files.size() > 1)
        notes << QStringLiteral(
                     "the capture's own drop counters are those of %1, the latest file holding them "
                     "(they count from the start of the capture)")
                     .arg(QFileInfo(dropsFrom).fileName());
    for (std::size_t k = 1; k < withPackets.size(); ++k) {
        const std::uint32_t ia = std::uint32_t(withPackets[k - 1]), ib = std::uint32_t(withPackets[k]);
        const CaptureSetFile &a = files[ia];
        const CaptureSetFile &b = files[ib];
        const std::int64_t hole = b.firstNs - a.lastNs;
        if (hole < 0) {
            const bool same = a.firstNs == b.firstNs && a.lastNs == b.lastNs && a.packets == b.packets;
            notes << (same
                          ? QStringLiteral("files %1 and %2 hold the same packets (same first and last time, "
                                           "%3 packets each): they are read twice (duplicates)")
                                .arg(fileName(a), fileName(b), QString::number(a.packets))
                          : QStringLiteral(
                                "files %1 and %2 overlap in time (%2 starts at %3, before %1 ends at "
                                "%4): packets in both are read twice (duplicates)")
                                .arg(fileName(a), fileName(b), epochSecondsText(b.firstNs),
                                     epochSecondsText(a.lastNs)));
            continue;
        }
        std::int64_t pause = 0;
        bool measured = false;
        for (const CaptureSetFile *f : {&a, &b})
            if (f->packets >= 2) {
                pause = std::max(pause, f->longestPauseNs);
                measured = true;
            }
        CaptureFileGap g;
        g.before = ia;
        g.after = ib;
        g.fromNs = a.lastNs;
        g.toNs = b.firstNs;
        if (!numbers.empty() && b.ringNumber - a.ringNumber > 1) {
            g.missingFiles = b.ringNumber - a.ringNumber - 1;
            g.byNumbering = !measured || hole > pause;
        } else if (!numbers.empty()) {
            g.missingFiles = 0;
        }
        // hole / factor: times reach 2^62 ns, factor x pause could overflow.
        g.byTime = measured && pause > 0 && hole / kFileGapPauseFactor > pause;
        if (g.byNumbering || g.byTime) index->set.gaps.push_back(g);
    }
    index->set.files = std::move(files);
    for (const CaptureFileGap &g : index->set.gaps)
        notes << QStringLiteral("not captured %1: what was sent then is not counted as loss")
                     .arg(fileGapText(index->set, g));
    index->set.notes = notes;
    // After the reason a read broke off (IndexBuilder::finish puts it first).
    auto at = index->warnings.begin() + (index->partial && !readWarnings.isEmpty() ? 1 : 0);
    for (const QString &n : notes)
        at = index->warnings.insert(at, {-1, n}) + 1;
    return index;
}

} // namespace ikev2wb
