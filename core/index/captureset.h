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

/// The files a list of files and folders names as one capture.
struct CaptureSetInput
{
    QStringList files; // capture files: given files as given, a folder's captures by name
    QStringList notes; // folder entries skipped (not a capture, sub-folders), a file given twice
    QString error;     // nothing to read (a folder without captures, a missing path): one sentence
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
std::unique_ptr<CaptureIndex> loadCaptureSet(const QStringList &paths, QString *error,
                                             const ProgressFn &progress = {},
                                             const std::atomic_bool *cancel = nullptr,
                                             IndexContents contents = IndexContents::Records,
                                             RecordObserver *observer = nullptr, bool readerThread = true);

/// "between files A and B (2.514 s without a packet; ring number 00003 missing)".
QString fileGapText(const CaptureSet &set, const CaptureFileGap &gap);

} // namespace ikev2wb
