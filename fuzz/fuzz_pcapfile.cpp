// libFuzzer target: the input is a whole capture file (pcap or pcapng). It goes through
// loadCapture, exactly as `ikev2wb summary FILE` reads it, and then through the summary.
// loadCapture takes a path, so every input is written to one temporary file per process
// (in /dev/shm when it exists, to keep the cost per run low).
#include "index/indexbuilder.h"
#include "report/capturesummary.h"

#include <QString>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

using namespace ikev2wb;

namespace {

std::string makeTempPath()
{
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    std::string path = std::string(dir) + "/ikev2wb-fuzz-XXXXXX";
    const int fd = mkstemp(path.data());
    if (fd < 0) {
        std::perror("mkstemp");
        std::abort();
    }
    close(fd);
    // Best effort: the file is removed when the fuzzer exits normally.
    static std::string removeAtExit;
    removeAtExit = path;
    std::atexit([] { std::remove(removeAtExit.c_str()); });
    return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const std::string path = makeTempPath();
    static const QString qpath = QString::fromStdString(path);
    FILE *f = std::fopen(path.c_str(), "wb");
    if (!f) std::abort();
    if (size != 0 && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);

    QString error;
    const auto index = loadCapture(qpath, &error);
    if (!index) {
        if (error.isEmpty()) std::abort(); // a failed open must say why
        return 0;
    }
    const CaptureSummary summary = summarize(*index);
    (void)summaryText(*index, summary);
    (void)summaryJson(*index, summary);
    return 0;
}
