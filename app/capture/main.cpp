// ikev2wb-capture: the only part of the workbench that opens a network interface.
//
// It holds CAP_NET_RAW and CAP_NET_ADMIN (file capabilities, or root) just long enough to
// pcap_activate() the interface, then drops every capability, compiles the filter and streams
// pcapng to its standard output (or a new file). Plain C++20 and libpcap, no Qt, no shell, no
// environment lookups: small enough to audit. `ikev2wb capture` and the GUI run it.
#include "capture/pcapngwriter.h"
#include "live/capturedefaults.h"

#include <pcap/pcap.h>

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <string_view>
#include <unistd.h>

namespace {

using ikev2wb::capture::InterfaceDescription;
using ikev2wb::capture::InterfaceStatistics;
using ikev2wb::capture::linkTypeForDlt;
using ikev2wb::capture::PcapngWriter;

constexpr const char *kProg = "ikev2wb-capture";
// The group the package limits the helper to (issue 15; as Wireshark's dumpcap and "wireshark").
constexpr const char *kGroup = "ikev2wb";
constexpr const char *kDefaultFilter = ikev2wb::kDefaultCaptureFilter;

enum Exit : int { ExitOk = 0, ExitUsage = 2, ExitFailed = 3, ExitNoPermission = 4 };

constexpr long kMaxDuration = 7L * 24 * 3600; // a week
constexpr long kMaxCount = 1000000000L;
constexpr long kMinSnaplen = 64;
constexpr long kMaxSnaplen = 262144; // libpcap's MAXIMUM_SNAPLEN
// Default: jumbo frames whole. TPACKET_V3 sizes its blocks by the snap length: with 262144 an
// 8 MiB buffer holds few blocks and a burst of 20,000 1400-byte datagrams on a veth lost 80 % in
// the kernel, with 9216 2-8 %; the original length is kept either way.
constexpr long kDefaultSnaplen = 9216;
constexpr std::size_t kMaxFilter = 4096;
constexpr int kKernelBuffer = 8 * 1024 * 1024;
constexpr std::size_t kFlushAt = 256 * 1024;
constexpr long kMaxRingFiles = 1000;
constexpr long kMaxRingSizeMb = 10240;
constexpr long kMinStatsMs = 100;
constexpr long kMaxStatsMs = 3600000;
// With --stats-interval the loop waits for packets in poll() at most this long, so that a
// periodic statistics block is written on time on an idle interface too.
constexpr int kPollTimeoutMs = 100;

void usage(FILE *to)
{
    std::fprintf(to,
                 "usage: %s -i IFACE [-f BPF] [--duration S] [--count N] [--snaplen N] [-w FILE|-] [-q]\n"
                 "          [--ring FILES --size MB] [--tee] [--stats-interval MS]\n"
                 "\n"
                 "Captures IKE/ESP traffic on IFACE and writes pcapng (to standard output with -w -,\n"
                 "the default; -w FILE creates a new file, mode 0600, never overwrites one).\n"
                 "  -i IFACE        interface to capture on (a kernel interface name, or 'any')\n"
                 "  -f BPF          libpcap filter (default: %s)\n"
                 "  --duration S    stop after S seconds (1..%ld)\n"
                 "  --count N       stop after N packets (1..%ld)\n"
                 "  --snaplen N     bytes kept of each packet (%ld..%ld, default %ld)\n"
                 "  --ring FILES --size MB  with -w FILE: write FILE_00001.pcapng, FILE_00002.pcapng, ...\n"
                 "                  of MB megabytes each (1..10240), keeping the last FILES (2..1000)\n"
                 "  --tee           with -w FILE: stream the same pcapng to standard output as well\n"
                 "                  (with --ring: every file's blocks, one section after another)\n"
                 "  --stats-interval MS  also write an Interface Statistics Block every MS milliseconds\n"
                 "                  (100..3600000) while capturing, for a reader following the stream\n"
                 "  -q              no summary line on standard error at the end\n"
                 "SIGINT/SIGTERM end the capture cleanly: the file ends with an Interface Statistics\n"
                 "Block (received, dropped by the kernel, dropped by the interface).\n"
                 "Needs CAP_NET_RAW and CAP_NET_ADMIN (root, or file capabilities); drops them once the\n"
                 "interface is open. Never runs set-uid.\n"
                 "exit status: 0 done, 2 usage error, 3 capture failed (no such interface, bad filter,\n"
                 "cannot write), 4 no permission to capture\n",
                 kProg, kDefaultFilter, kMaxDuration, kMaxCount, kMinSnaplen, kMaxSnaplen, kDefaultSnaplen);
}

int usageError(const char *fmt, const char *arg = "")
{
    std::fprintf(stderr, "%s: usage error: ", kProg);
    std::fprintf(stderr, fmt, arg);
    std::fprintf(stderr, "\n(%s --help shows the usage)\n", kProg);
    return ExitUsage;
}

// ---- argument checks ------------------------------------------------------------------------

/// The kernel's dev_valid_name(): 1..15 bytes, not "." or "..", no '/', ':' or white space.
/// We also refuse control bytes and a leading '-' (never an option by mistake).
bool validInterfaceName(std::string_view s)
{
    if (s.empty() || s.size() >= 16 || s == "." || s == ".." || s.front() == '-') return false;
    for (unsigned char c : s)
        if (c <= 0x20 || c >= 0x7f || c == '/' || c == ':') return false;
    return true;
}

bool validFilter(std::string_view s)
{
    if (s.size() > kMaxFilter) return false;
    for (unsigned char c : s)
        if (c < 0x20 || c >= 0x7f) return false;
    return true;
}

/// Plain decimal digits only (no sign, no spaces, no 0x), within [lo, hi].
bool parseNumber(const char *s, long lo, long hi, long *out)
{
    if (!s || !*s || std::strlen(s) > 12) return false;
    long v = 0;
    for (const char *p = s; *p; ++p) {
        if (*p < '0' || *p > '9') return false;
        v = v * 10 + (*p - '0');
    }
    if (v < lo || v > hi) return false;
    *out = v;
    return true;
}

// ---- capabilities ---------------------------------------------------------------------------

struct CapSets
{
    __user_cap_data_struct d[2] = {};
};

bool getCaps(CapSets *c)
{
    __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
    return syscall(SYS_capget, &h, c->d) == 0;
}

bool setCaps(const CapSets &c)
{
    __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
    return syscall(SYS_capset, &h, c.d) == 0;
}

constexpr std::uint32_t bit(int cap)
{
    return 1U << (cap % 32);
}

/// Keeps only CAP_NET_RAW and CAP_NET_ADMIN (both in word 0), and only if we already have them.
bool limitToCaptureCaps()
{
    CapSets c;
    if (!getCaps(&c)) return false;
    const std::uint32_t want = bit(CAP_NET_RAW) | bit(CAP_NET_ADMIN);
    c.d[0].permitted &= want;
    c.d[0].effective = c.d[0].permitted;
    c.d[0].inheritable = 0;
    c.d[1] = {};
    return setCaps(c);
}

/// After pcap_activate: no capability is needed any more. Root also loses its bounding set so
/// nothing can be regained; no_new_privs stops a later exec from gaining any.
bool dropAllCaps()
{
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    CapSets c;
    if (getCaps(&c) && (c.d[0].effective & bit(CAP_SETPCAP))) {
        for (int cap = 0; cap <= CAP_LAST_CAP; ++cap)
            prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
    }
    if (!setCaps(CapSets{})) return false;
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    CapSets after;
    if (!getCaps(&after)) return false;
    return after.d[0].effective == 0 && after.d[0].permitted == 0 && after.d[1].effective == 0 &&
           after.d[1].permitted == 0;
}

std::string selfPath()
{
    char buf[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return "/usr/libexec/ikev2-workbench/ikev2wb-capture";
    return std::string(buf, static_cast<std::size_t>(n));
}

/// Single-quotes a path for a shell line the user copies (only ever printed, never run).
std::string shellQuoted(const std::string &s)
{
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

void explainPermission(const char *iface, const char *why)
{
    const std::string path = shellQuoted(selfPath());
    std::fprintf(stderr,
                 "%s: no permission to capture on %s (%s).\n"
                 "Run it as root, or give the helper its capabilities (once, as root):\n"
                 "    setcap cap_net_raw,cap_net_admin=eip %s\n"
                 "and limit it to one group, then add yourself to that group (log in again after):\n"
                 "    groupadd --system %s; chgrp %s %s; chmod 0750 %s\n"
                 "    usermod -aG %s \"$USER\"\n"
                 "(the ikev2-workbench package does this when installed)\n",
                 kProg, iface, why, path.c_str(), kGroup, kGroup, path.c_str(), path.c_str(), kGroup);
}

std::uint64_t monotonicMs()
{
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return std::uint64_t(t.tv_sec) * 1000 + std::uint64_t(t.tv_nsec) / 1000000;
}

// ---- the capture ----------------------------------------------------------------------------

volatile sig_atomic_t g_stop = 0;
pcap_t *volatile g_pcap = nullptr;

void onStopSignal(int)
{
    g_stop = 1;
    pcap_t *p = g_pcap;
    if (p) pcap_breakloop(p); // async-signal-safe on Linux (a flag and an eventfd write)
}

void installSignals()
{
    struct sigaction sa = {};
    sa.sa_handler = onStopSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; // no SA_RESTART: a blocked poll()/write() returns
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGALRM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);
    struct sigaction ign = {};
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, nullptr); // a closed reader shows as EPIPE from write()
}

struct Output
{
    int fd = STDOUT_FILENO;
    int teeFd = -1; // --tee: the same bytes to standard output as well
    bool brokenPipe = false;
    bool failed = false;
    int error = 0;

    bool writeAll(const std::uint8_t *p, std::size_t n)
    {
        return writeTo(fd, p, n) && (teeFd < 0 || writeTo(teeFd, p, n));
    }

private:
    bool writeTo(int to, const std::uint8_t *p, std::size_t n)
    {
        while (n > 0 && !brokenPipe && !failed) {
            const ssize_t w = ::write(to, p, n);
            if (w < 0) {
                if (errno == EINTR) continue;
                if (errno == EPIPE)
                    brokenPipe = true;
                else {
                    failed = true;
                    error = errno;
                }
                return false;
            }
            p += w;
            n -= static_cast<std::size_t>(w);
        }
        return !brokenPipe && !failed;
    }
};

/// Creates a new file: O_EXCL (never overwrites), not through a symlink, readable by its owner.
bool createFile(const std::string &path, Output *out)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        std::fprintf(stderr, "%s: cannot create %s: %s%s\n", kProg, path.c_str(), std::strerror(errno),
                     errno == EEXIST ? " (it is never overwritten)" : "");
        return false;
    }
    out->fd = fd;
    return true;
}

/// FILE.pcapng -> FILE_00007.pcapng (FILE -> FILE_00007 without the extension).
std::string ringName(const std::string &base, unsigned index)
{
    char num[16];
    std::snprintf(num, sizeof num, "_%05u", index);
    const std::string ext = ".pcapng";
    if (base.size() > ext.size() && base.compare(base.size() - ext.size(), ext.size(), ext) == 0)
        return base.substr(0, base.size() - ext.size()) + num + ext;
    return base + num;
}

struct Session
{
    PcapngWriter writer;
    Output out;
    pcap_t *pcap = nullptr;
    InterfaceDescription idb;
    std::uint64_t written = 0;
    std::uint64_t scale = 1000000000; // timestamp units per second
    std::uint64_t start = 0;
    std::uint32_t snaplen = kMaxSnaplen;
    // Ring buffer (--ring/--size): files written so far, the oldest first.
    long ringFiles = 0;
    std::uint64_t ringBytes = 0;
    std::string ringBase;
    unsigned ringIndex = 0;
    std::uint64_t bytesInFile = 0;
    std::deque<std::string> ringNames;

    void flush()
    {
        if (writer.pending() == 0) return;
        out.writeAll(writer.buffer().data(), writer.pending());
        writer.clear();
    }
    void headers()
    {
        writer.sectionHeader("ikev2wb-capture " IKEV2WB_VERSION);
        writer.interfaceDescription(idb);
        flush();
        bytesInFile = 0;
    }
    /// The statistics block: counters since the capture started (cumulative, as pcapng wants).
    bool statistics(pcap_stat *st)
    {
        *st = {};
        if (pcap_stats(pcap, st) != 0) return false;
        InterfaceStatistics isb;
        isb.timestamp = nowIn();
        isb.startTime = start;
        isb.received = st->ps_recv;
        isb.ifDrop = st->ps_ifdrop;
        isb.osDrop = st->ps_drop;
        isb.delivered = written;
        writer.interfaceStatistics(isb);
        return true;
    }
    std::uint64_t nowIn() const
    {
        timespec t{};
        clock_gettime(CLOCK_REALTIME, &t);
        const std::uint64_t frac =
            scale == 1000000000 ? std::uint64_t(t.tv_nsec) : std::uint64_t(t.tv_nsec) / 1000;
        return std::uint64_t(t.tv_sec) * scale + frac;
    }
    /// Ends the current ring file (with its statistics block) and starts the next one; the
    /// oldest file beyond --ring is removed (only files this run created).
    void rotate()
    {
        pcap_stat st;
        statistics(&st);
        flush();
        if (out.failed || out.brokenPipe) return;
        if (::close(out.fd) != 0) {
            out.failed = true;
            out.error = errno;
            return;
        }
        const std::string next = ringName(ringBase, ++ringIndex);
        if (!createFile(next, &out)) {
            out.failed = true;
            out.error = EEXIST;
            out.fd = -1;
            return;
        }
        ringNames.push_back(next);
        while (ringNames.size() > std::size_t(ringFiles)) {
            ::unlink(ringNames.front().c_str());
            ringNames.pop_front();
        }
        headers();
    }
};

void onPacket(u_char *user, const pcap_pkthdr *h, const u_char *bytes)
{
    auto *s = reinterpret_cast<Session *>(user);
    // With nanosecond precision libpcap puts nanoseconds in tv_usec.
    const std::uint64_t ts = std::uint64_t(h->ts.tv_sec) * s->scale + std::uint64_t(h->ts.tv_usec);
    const std::uint32_t caplen = h->caplen < s->snaplen ? h->caplen : s->snaplen;
    s->writer.enhancedPacket(ts, bytes, caplen, h->len);
    ++s->written;
    s->bytesInFile += 32 + ((std::uint64_t(caplen) + 3) & ~std::uint64_t(3));
    if (s->writer.pending() >= kFlushAt) s->flush();
    if (s->ringFiles > 0 && s->bytesInFile >= s->ringBytes) s->rotate();
}

std::string interfaceDescription(const char *iface)
{
    std::string description;
    pcap_if_t *all = nullptr;
    char err[PCAP_ERRBUF_SIZE] = {};
    if (pcap_findalldevs(&all, err) == 0) {
        for (pcap_if_t *d = all; d; d = d->next)
            if (d->name && std::strcmp(d->name, iface) == 0 && d->description) description = d->description;
        pcap_freealldevs(all);
    }
    if (description.empty()) description = std::string(iface);
    return description + " (live capture by ikev2wb-capture " IKEV2WB_VERSION ")";
}

struct Options
{
    const char *iface = nullptr;
    const char *filter = kDefaultFilter;
    const char *outPath = "-";
    long duration = 0;
    long count = 0;
    long snaplen = kDefaultSnaplen;
    long ringFiles = 0;
    long ringSizeMb = 0;
    long statsMs = 0;
    bool tee = false;
    bool quiet = false;
};

int parseArgs(int argc, char **argv, Options *o)
{
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : nullptr;
        auto needValue = [&]() -> bool { return v != nullptr; };
        if (a == "-h" || a == "--help") {
            usage(stdout);
            std::exit(ExitOk);
        } else if (a == "--version") {
            std::printf("%s %s (%s)\n", kProg, IKEV2WB_VERSION, pcap_lib_version());
            std::exit(ExitOk);
        } else if (a == "-q") {
            o->quiet = true;
        } else if (a == "--tee") {
            o->tee = true;
        } else if (a == "-i" || a == "-f" || a == "-w" || a == "--duration" || a == "--count" ||
                   a == "--snaplen" || a == "--ring" || a == "--size" || a == "--stats-interval") {
            if (!needValue()) return usageError("%s needs a value", argv[i]);
            ++i;
            if (a == "-i") {
                if (!validInterfaceName(v))
                    return usageError("'%s' is not an interface name (1-15 characters, no '/', ':', "
                                      "spaces or control characters, not starting with '-')",
                                      v);
                o->iface = v;
            } else if (a == "-f") {
                if (!validFilter(v))
                    return usageError("the filter must be printable ASCII of at most 4096 characters%s");
                o->filter = v;
            } else if (a == "-w") {
                if (!*v || std::strlen(v) >= PATH_MAX) return usageError("-w needs a file name or '-'%s");
                o->outPath = v;
            } else if (a == "--duration") {
                if (!parseNumber(v, 1, kMaxDuration, &o->duration))
                    return usageError("--duration takes whole seconds from 1 to 604800, not '%s'", v);
            } else if (a == "--count") {
                if (!parseNumber(v, 1, kMaxCount, &o->count))
                    return usageError("--count takes a number of packets from 1 to 1000000000, not '%s'", v);
            } else if (a == "--ring") {
                if (!parseNumber(v, 2, kMaxRingFiles, &o->ringFiles))
                    return usageError("--ring takes a number of files from 2 to 1000, not '%s'", v);
            } else if (a == "--stats-interval") {
                if (!parseNumber(v, kMinStatsMs, kMaxStatsMs, &o->statsMs))
                    return usageError("--stats-interval takes milliseconds from 100 to 3600000, not '%s'", v);
            } else if (a == "--size") {
                if (!parseNumber(v, 1, kMaxRingSizeMb, &o->ringSizeMb))
                    return usageError("--size takes megabytes from 1 to 10240, not '%s'", v);
            } else {
                if (!parseNumber(v, kMinSnaplen, kMaxSnaplen, &o->snaplen))
                    return usageError("--snaplen takes a number of bytes from 64 to 262144, not '%s'", v);
            }
        } else {
            return usageError("unknown argument '%s'", argv[i]);
        }
    }
    if (!o->iface) return usageError("-i IFACE is required%s");
    if ((o->ringFiles > 0) != (o->ringSizeMb > 0)) return usageError("--ring and --size go together%s");
    if (o->ringFiles > 0 && std::strcmp(o->outPath, "-") == 0)
        return usageError("--ring needs -w FILE (files are written, not standard output)%s");
    if (o->tee && std::strcmp(o->outPath, "-") == 0) return usageError("--tee needs -w FILE%s");
    return ExitOk;
}

/// Creates the output file: new (O_EXCL), not through a symlink, readable by its owner only.
int openOutput(const char *path, Output *out)
{
    if (std::strcmp(path, "-") == 0) {
        if (isatty(STDOUT_FILENO)) {
            std::fprintf(stderr,
                         "%s: standard output is a terminal; pcapng is binary: use -w FILE or a pipe\n",
                         kProg);
            return ExitUsage;
        }
        out->fd = STDOUT_FILENO;
        return ExitOk;
    }
    return createFile(path, out) ? ExitOk : ExitFailed;
}

} // namespace

int main(int argc, char **argv)
{
    // Set-uid or set-gid would let anyone capture as the file's owner; file capabilities and a
    // group (issue 15) give exactly what is needed instead.
    if (getuid() != geteuid() || getgid() != getegid()) {
        std::fprintf(stderr,
                     "%s: refusing to run set-uid or set-gid; use file capabilities instead "
                     "(setcap cap_net_raw,cap_net_admin=eip)\n",
                     kProg);
        return ExitFailed;
    }
    limitToCaptureCaps(); // from here on at most CAP_NET_RAW and CAP_NET_ADMIN

    Options o;
    if (const int rc = parseArgs(argc, argv, &o); rc != ExitOk) return rc;
    installSignals();

    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t *p = pcap_create(o.iface, err);
    if (!p) {
        std::fprintf(stderr, "%s: cannot capture on %s: %s\n", kProg, o.iface, err);
        return ExitFailed;
    }
    pcap_set_snaplen(p, static_cast<int>(o.snaplen));
    pcap_set_promisc(p, 0);
    pcap_set_immediate_mode(p, 1);
    pcap_set_buffer_size(p, kKernelBuffer);
    const bool nano = pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) == 0;
    const int act = pcap_activate(p);
    if (act < 0) {
        const std::string why = pcap_geterr(p);
        pcap_close(p);
        if (act == PCAP_ERROR_PERM_DENIED) {
            explainPermission(o.iface, why.c_str());
            return ExitNoPermission;
        }
        if (act == PCAP_ERROR_NO_SUCH_DEVICE)
            std::fprintf(stderr, "%s: there is no interface named %s (`ip link` lists them)\n", kProg,
                         o.iface);
        else if (act == PCAP_ERROR_IFACE_NOT_UP)
            std::fprintf(stderr, "%s: interface %s is down\n", kProg, o.iface);
        else
            std::fprintf(stderr, "%s: cannot capture on %s: %s (%s)\n", kProg, o.iface, pcap_statustostr(act),
                         why.c_str());
        return ExitFailed;
    }
    if (act > 0) std::fprintf(stderr, "%s: warning: %s: %s\n", kProg, o.iface, pcap_statustostr(act));
    if (!dropAllCaps()) {
        pcap_close(p);
        std::fprintf(stderr, "%s: could not drop capabilities after opening %s; stopping\n", kProg, o.iface);
        return ExitFailed;
    }

    bpf_program prog{};
    if (pcap_compile(p, &prog, o.filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        std::fprintf(stderr, "%s: invalid filter \"%s\": %s\n", kProg, o.filter, pcap_geterr(p));
        pcap_close(p);
        return ExitFailed;
    }
    const int setf = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (setf != 0) {
        std::fprintf(stderr, "%s: cannot apply the filter: %s\n", kProg, pcap_geterr(p));
        pcap_close(p);
        return ExitFailed;
    }

    Session s;
    s.pcap = p;
    s.ringFiles = o.ringFiles;
    s.ringBytes = std::uint64_t(o.ringSizeMb) * 1000000;
    s.ringBase = o.outPath;
    const std::string firstPath =
        o.ringFiles > 0 ? ringName(s.ringBase, ++s.ringIndex) : std::string(o.outPath);
    if (o.ringFiles > 0) s.ringNames.push_back(firstPath);
    if (const int rc = openOutput(firstPath.c_str(), &s.out); rc != ExitOk) {
        pcap_close(p);
        return rc;
    }
    if (o.tee) {
        if (isatty(STDOUT_FILENO)) {
            std::fprintf(stderr, "%s: --tee: standard output is a terminal; pcapng is binary\n", kProg);
            pcap_close(p);
            ::close(s.out.fd);
            ::unlink(firstPath.c_str());
            return ExitUsage;
        }
        s.out.teeFd = STDOUT_FILENO;
    }
    const bool nanoActive = nano && pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
    s.scale = nanoActive ? 1000000000 : 1000000;
    s.snaplen = static_cast<std::uint32_t>(pcap_snapshot(p));
    InterfaceDescription &idb = s.idb;
    idb.linkType = linkTypeForDlt(pcap_datalink(p));
    idb.snapLength = s.snaplen;
    idb.name = o.iface;
    idb.description = interfaceDescription(o.iface);
    idb.filter = o.filter;
    idb.tsresol = nanoActive ? 9 : 6;
    s.headers();
    s.start = s.nowIn();

    g_pcap = p;
    if (o.duration > 0) alarm(static_cast<unsigned>(o.duration));
    std::string captureError;
    std::uint64_t lastStats = monotonicMs();
    // Periodic statistics need the loop to come back when no packet arrives: libpcap's own
    // blocking read may wait forever (TPACKET_V3 retires no empty block), so poll() waits here.
    int pollFd = -1;
    if (o.statsMs > 0 && pcap_setnonblock(p, 1, err) == 0) pollFd = pcap_get_selectable_fd(p);
    while (!g_stop && !s.out.brokenPipe && !s.out.failed) {
        const long left = o.count > 0 ? o.count - static_cast<long>(s.written) : -1;
        if (o.count > 0 && left <= 0) break;
        const int n = pcap_dispatch(p, static_cast<int>(left), onPacket, reinterpret_cast<u_char *>(&s));
        if (n == PCAP_ERROR) {
            captureError = pcap_geterr(p);
            break;
        }
        if (n == 0 && pollFd >= 0) {
            // Non-blocking: nothing was waiting. Sleep until a packet, a signal or the timeout.
            pollfd pfd{pollFd, POLLIN, 0};
            ::poll(&pfd, 1, kPollTimeoutMs);
        }
        if (o.statsMs > 0 && monotonicMs() - lastStats >= std::uint64_t(o.statsMs)) {
            pcap_stat st{};
            s.statistics(&st);
            lastStats = monotonicMs();
        }
        s.flush();
    }
    alarm(0);
    g_pcap = nullptr;

    pcap_stat st{};
    const bool haveStats = s.statistics(&st);
    s.flush();
    pcap_close(p);
    if (s.out.fd >= 0 && s.out.fd != STDOUT_FILENO && ::close(s.out.fd) != 0 && !s.out.failed) {
        s.out.failed = true;
        s.out.error = errno;
    }

    if (s.out.brokenPipe) return ExitOk; // the reader went away: end quietly
    if (s.out.failed) {
        std::fprintf(stderr, "%s: writing the capture failed: %s\n", kProg, std::strerror(s.out.error));
        return ExitFailed;
    }
    if (!o.quiet)
        std::fprintf(
            stderr,
            "%s: %llu packets written; received %u, dropped by the kernel %u, by the interface %u%s\n", kProg,
            static_cast<unsigned long long>(s.written), st.ps_recv, st.ps_drop, st.ps_ifdrop,
            haveStats ? "" : " (statistics unavailable)");
    if (!captureError.empty()) {
        std::fprintf(stderr, "%s: capture on %s ended: %s\n", kProg, o.iface, captureError.c_str());
        return ExitFailed;
    }
    return ExitOk;
}
