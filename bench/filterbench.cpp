// Times display filters over a loaded capture: `ikev2wb-filterbench FILE EXPR...` reads FILE
// once, then runs each expression three times through selectPackets (what the Packets page's
// worker and `ikev2wb packets --filter` do) and prints the fastest run and the matches.
#include "filter/displayfilter.h"
#include "index/indexbuilder.h"

#include <QElapsedTimer>

#include <cstdio>

using namespace ikev2wb;

int main(int argc, char **argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: ikev2wb-filterbench FILE EXPR...\n");
        return 2;
    }
    QElapsedTimer t;
    t.start();
    QString error;
    const auto index = loadCapture(QString::fromLocal8Bit(argv[1]), &error);
    if (!index) {
        std::fprintf(stderr, "ikev2wb-filterbench: %s\n", qPrintable(error));
        return 3;
    }
    std::printf("%zu packets read in %.0f ms\n", index->packetCount(), double(t.nsecsElapsed()) / 1e6);
    for (int a = 2; a < argc; ++a) {
        FilterError err;
        const DisplayFilter f = DisplayFilter::compile(QString::fromLocal8Bit(argv[a]), &err);
        if (!f.isValid()) {
            std::fprintf(stderr, "%s: %s\n", argv[a], qPrintable(err.toString()));
            return 2;
        }
        double best = 1e300;
        std::size_t matches = 0;
        for (int run = 0; run < 3; ++run) {
            t.restart();
            matches = selectPackets(f, *index).size();
            best = std::min(best, double(t.nsecsElapsed()) / 1e6);
        }
        std::printf("%8.1f ms  %10zu match  %s\n", best, matches, argv[a]);
    }
    return 0;
}
