#pragma once
// Several capture files read as ONE capture: a ring written by `tcpdump -C/-G -w`, dumpcap's
// ring buffer, `ikev2wb capture --ring`, or `editcap -c` pieces. The files are read one after
// another, ordered by the time of their first packet (not by their names), into one
// CaptureIndex: packet numbers, flows, ESP SAs (sequence numbers) and IKE exchanges continue
// from file to file, and each file may have its own link type. A hole between two files where
// a file of the ring is missing is a CaptureFileGap: what was sent then was not captured, which
// is not loss on the path.
#include "captureindex.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace ikev2wb {

class RecordObserver;

/// A file descriptor, closed when it goes: a capture file held open from the first look at it to
/// its read, so that each file of a set is opened once.
class HeldFile
{
public:
    HeldFile() = default;
    explicit HeldFile(int fd) : m_fd(fd) {}
    HeldFile(HeldFile &&o) noexcept : m_fd(o.release()) {}
    HeldFile &operator=(HeldFile &&o) noexcept;
    HeldFile(const HeldFile &) = delete;
    HeldFile &operator=(const HeldFile &) = delete;
    ~HeldFile();
    [[nodiscard]] bool isOpen() const { return m_fd >= 0; }
    [[nodiscard]] int get() const { return m_fd; }
    /// A second descriptor of the same open file (its offset shared), -1 on failure.
    [[nodiscard]] int duplicate() const;
    /// Hands the descriptor over (the caller closes it); -1 when none.
    int release()
    {
        const int fd = m_fd;
        m_fd = -1;
        return fd;
    }

private:
    int m_fd = -1;
};

/// The files a list of files and folders names as one capture.
struct CaptureSetInput
{
    /// Descriptors held open at most: beyond, a set's files are opened again for their read
    /// (a process may hold 1024; both sides of a pair are read at once).
    static constexpr int kMaxHeld = 256;
    QStringList files; // capture files: given files as given, a folder's captures by name
    QStringList notes; // folder entries skipped (not a capture, sub-folders), a file given twice
    QString error;     // nothing to read (a folder without captures, a missing path): one sentence
    /// Per entry of `files`: a folder's capture as the signature check opened it (the first
    /// kMaxHeld), else not open.
    std::vector<HeldFile> held;
};

/// Expands folders into the capture files in them (by their pcap/pcapng signature, not their
/// names; not recursive). A file named directly must exist; whether it is a capture is the
/// reader's to say.
CaptureSetInput expandCaptureSet(const QStringList &paths);

/// The ring numbers the file names carry, for names in reading order: the run of digits right
/// after the part all names share (`cap.pcap`, `cap.pcap1`, ... of tcpdump -C, where the first has
/// none and counts as 0; `x_00001_20261206085000.pcapng` of dumpcap and editcap;
/// `FILE_00001.pcapng` of ikev2wb capture --ring). Empty when fewer than two names, when the
/// numbers do not grow with time, or when most steps between neighbours are not 1 (names
/// carrying times or dates instead of a counter).
std::vector<std::int64_t> ringNumbers(const QStringList &fileNames);

/// Reads the files and folders `paths` as one capture (see above). nullptr and `error` naming the
/// file when a file cannot be opened, or saying that a folder holds no capture; a file whose
/// read breaks off gives a partial index with a warning naming it, and the reading continues with
/// the next file. Progress counts bytes of all files together.
std::unique_ptr<CaptureIndex>
loadCaptureSet(const QStringList &paths, QString *error, const ProgressFn &progress = {},
               const std::atomic_bool *cancel = nullptr, IndexContents contents = IndexContents::Records,
               RecordObserver *observer = nullptr, bool readerThread = true, const TunnelScope &scope = {});

/// "between files A and B (2.514 s without a packet; ring number 00003 missing)".
QString fileGapText(const CaptureSet &set, const CaptureFileGap &gap);

} // namespace ikev2wb
