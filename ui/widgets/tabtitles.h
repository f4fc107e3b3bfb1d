#pragma once
// Tab titles that tell open captures apart: two files called trace.pcap in different folders
// read "left/trace.pcap" and "right/trace.pcap", not two identical tabs.
#include <QStringList>

namespace ikev2wb::ui {

/// The file names of `paths`; where two different paths share a title, each gets one more
/// parent folder in front, until the titles differ (or the whole path is used). The same path
/// twice keeps its plain name.
QStringList uniqueTitles(const QStringList &paths);

} // namespace ikev2wb::ui
