#pragma once
// Finding the privilege-separated capture helper (ikev2wb-capture) and telling, before it runs,
// whether it can open an interface for this user — and if not, exactly what to do. Listing the
// interfaces needs no privilege (names and addresses come from the kernel to anyone); opening
// one for capture needs CAP_NET_RAW and CAP_NET_ADMIN, which only the helper holds (as file
// capabilities, or when run by root). Used by `ikev2wb capture` and the GUI.
#include <QString>
#include <QStringList>

#include <vector>

namespace ikev2wb {

/// Absolute places the helper may be for a program in `programDir`: beside it (the build tree,
/// a relocated install), then ../libexec/ikev2-workbench/. $PATH is never searched.
QStringList captureHelperCandidates(const QString &programDir);

struct CaptureHelperCheck
{
    enum class State {
        Ready,          // root, or the helper carries cap_net_raw,cap_net_admin
        NotInstalled,   // no helper in any candidate place
        NotExecutable,  // there, but this user may not run it (not in its group)
        NoCapabilities, // runs, but as this user it cannot open an interface
    };
    State state = State::NotInstalled;
    QString path;    // the helper found (empty when not installed)
    QString message; // for any state but Ready: what is wrong and the commands that fix it
    [[nodiscard]] bool ready() const { return state == State::Ready; }
};

/// Looks for the helper beside `programDir` and checks it for the calling user.
CaptureHelperCheck checkCaptureHelper(const QString &programDir);

/// An interface libpcap can capture on, as pcap_findalldevs() lists it (needs no privilege).
struct CaptureInterface
{
    QString name;
    QString description;
    QStringList addresses; // IPv4 and IPv6, as text
    bool loopback = false;
    bool up = false;
    bool running = false;
};

/// The interfaces of this network namespace; empty with `*error` set when libpcap fails.
std::vector<CaptureInterface> listCaptureInterfaces(QString *error);

/// The peer gateway's side of a capture, run over the system's ssh client.
struct PeerCapture
{
    QString destination;    // USER@HOST
    QString iface;          // on the peer
    QString tool;           // "helper" (ikev2wb-capture there) or "tcpdump"
    QString helperPath;     // empty: kPeerHelperPath
    QString filter;         // empty: the default filter
    QString count;          // empty: no limit
    QString snaplen;        // empty: the default
    QStringList sshOptions; // KEY=VALUE, passed as -o ahead of ours (ssh keeps the first value)
};

inline constexpr const char *kPeerHelperPath = "/usr/libexec/ikev2-workbench/ikev2wb-capture";

/// What is wrong with the peer's settings (one sentence), or an empty string.
QString checkPeerCapture(const PeerCapture &p);
/// ssh's arguments: -T, BatchMode, ConnectTimeout=10, keep-alives, the destination and the
/// remote line. The line runs the capture in the background and ends it with SIGTERM as soon as
/// ssh's standard input closes, so closing it stops the peer's capture cleanly.
QStringList peerSshArguments(const PeerCapture &p);
/// FILE.pcapng -> FILE-peer.pcapng (tcpdump writes pcap: FILE-peer.pcap; FILE -> FILE-peer).
QString defaultPeerOutput(const QString &out, bool tcpdump);
/// The files a ring capture (`ikev2wb-capture -w BASE --ring N`) kept: BASE_NNNNN.pcapng for
/// BASE.pcapng (BASE_NNNNN without that extension), five or more digits, in ring order (by the
/// number, oldest first). Read them as one capture with loadCaptureSet (core/index/captureset).
QStringList ringCaptureFiles(const QString &base);
/// ssh's exit status for its own failures (connection, host key, authentication).
inline constexpr int kSshFailed = 255;

/// The name of the group the package limits the helper to (as Wireshark's dumpcap).
inline constexpr const char *kCaptureGroup = "ikev2wb";

} // namespace ikev2wb
