// ikev2wb-pcaploop: the floor for reading a capture. Opens the file the way CaptureReader does
// (fopen, a stdio buffer, pcap_fopen_offline with nanosecond precision; the buffer is 1 MiB as
// issue 14 defines the floor, CaptureReader's 128 KiB: this loop costs the same with either,
// bench/RESULTS.md session 13) and does nothing
// but pcap_next_ex, counting packets and captured bytes. Whatever `ikev2wb summary` spends on
// top of this is the cost of dissecting and indexing.
#include <pcap/pcap.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: ikev2wb-pcaploop FILE\n");
        return 2;
    }
    FILE *f = std::fopen(argv[1], "rb");
    if (!f) {
        std::fprintf(stderr, "ikev2wb-pcaploop: %s: %s\n", argv[1], std::strerror(errno));
        return 3;
    }
    std::vector<char> buffer(1u << 20);
    std::setvbuf(f, buffer.data(), _IOFBF, buffer.size());
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!p) {
        std::fprintf(stderr, "ikev2wb-pcaploop: %s: %s\n", argv[1], errbuf);
        return 3;
    }
    std::uint64_t packets = 0, bytes = 0;
    std::uint32_t checksum = 0; // touch one byte per packet so the loop cannot be elided
    pcap_pkthdr *hdr = nullptr;
    const u_char *data = nullptr;
    int rc;
    while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
        ++packets;
        bytes += hdr->caplen;
        if (hdr->caplen) checksum += data[0];
    }
    const bool failed = rc != PCAP_ERROR_BREAK;
    if (failed) std::fprintf(stderr, "ikev2wb-pcaploop: %s: %s\n", argv[1], pcap_geterr(p));
    pcap_close(p); // also closes f
    std::printf("%llu packets, %llu captured bytes (check %u)\n", static_cast<unsigned long long>(packets),
                static_cast<unsigned long long>(bytes), checksum);
    return failed ? 3 : 0;
}
