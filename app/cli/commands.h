#pragma once
// The `ikev2wb` subcommands. Each returns the process exit status.
#include <QStringList>

namespace ikev2wb::cli {

enum ExitCode : int {
    ExitOk = 0,
    ExitUsage = 2,
    ExitBadInput = 3,
    ExitCannotProbe = 4,
    ExitPeerUnreachable = 5, // capture --ssh: ssh could not reach or log in to the peer
    ExitInterrupted = 130
};

int summary(const QStringList &args);
int packets(const QStringList &args);
int analyze(const QStringList &args);
int compare(const QStringList &args);
int evidence(const QStringList &args);
int collect(const QStringList &args);
int diagnose(const QStringList &args);
int probe(const QStringList &args);
int capture(const QStringList &args); // capturecommand.cpp

/// Prints "ikev2wb: usage error: <message>" and the short usage to stderr; returns ExitUsage.
int usageError(const QString &message);
void printUsage(bool toStderr);

} // namespace ikev2wb::cli
