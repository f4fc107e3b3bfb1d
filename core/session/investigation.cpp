#include "investigation.h"

#include "diagnose/checklist.h"
#include "index/captureset.h"
#include "index/indexbuilder.h"

#include <QFileInfo>

#include <future>

namespace ikev2wb {

namespace {

/// One capture read and analysed, or why not.
struct Read
{
    Investigation::IndexPtr index;
    Investigation::AnalysisPtr analysis;
    QString error;
};

Read readAndAnalyse(const QStringList &paths, const ProgressFn &progress, const std::atomic_bool *cancel,
                    const TunnelScope &scope)
{
    Read r;
    const QString path = paths.front();
    std::shared_ptr<const CaptureIndex> index =
        loadCapture(paths, &r.error, progress, cancel, IndexContents::Records, nullptr, true, scope);
    if (!index) return r;
    if (index->cancelled) {
        r.error = QStringLiteral("%1: reading cancelled").arg(QFileInfo(path).fileName());
        return r;
    }
    auto analysis = std::make_shared<const CaptureAnalysis>(analyzeCapture(*index, cancel));
    if (cancel && cancel->load()) {
        r.error = QStringLiteral("%1: analysis cancelled").arg(QFileInfo(path).fileName());
        return r;
    }
    r.index = std::move(index);
    r.analysis = std::move(analysis);
    return r;
}

/// A capture's name for people: its file's, or the set's (folder, or first file "+N files").
/// A capture read, analysed and observed for the comparison in one read without per-packet
/// records (read again with records where one pass cannot give their result), or why not.
struct ObservedRead : Read
{
    std::unique_ptr<CaptureObservations> observations;
};

ObservedRead readObserved(const QStringList &paths, const ProgressFn &progress,
                          const std::atomic_bool *cancel, const TunnelScope &scope)
{
    ObservedRead r;
    const QString name = QFileInfo(paths.front()).fileName();
    {
        CaptureAnalysisDuringRead analysis;
        ObservationsDuringRead observations;
        struct Both final : RecordObserver
        {
            RecordObserver *a, *b;
            Both(RecordObserver *x, RecordObserver *y) : a(x), b(y) {}
            void record(const PacketRecord &rec, std::uint32_t sa, const CaptureIndex &tables) override
            {
                a->record(rec, sa, tables);
                b->record(rec, sa, tables);
            }
        } both(&analysis, &observations);
        // The two sides are read side by side on two cores: libpcap on each reading thread itself,
        // as compareCaptureFiles() does.
        std::unique_ptr<const CaptureIndex> index =
            loadCapture(paths, &r.error, progress, cancel, IndexContents::TablesOnly, &both, false, scope);
        if (!index) return r;
        if (index->cancelled) {
            r.error = QStringLiteral("%1: reading cancelled").arg(name);
            return r;
        }
        auto a = std::make_shared<CaptureAnalysis>();
        if (analysis.finish(*index, *a, cancel) && (r.observations = observations.finish(*index))) {
            if (cancel && cancel->load()) {
                r.error = QStringLiteral("%1: analysis cancelled").arg(name);
                r.observations.reset();
                return r;
            }
            r.index = std::move(index);
            r.analysis = std::move(a);
            return r;
        }
    }
    Read again = readAndAnalyse(paths, progress, cancel, scope);
    if (again.index) r.observations = observeIndex(*again.index, cancel);
    static_cast<Read &>(r) = std::move(again);
    return r;
}

QString captureName(const CaptureIndex &index)
{
    return index.set.isSet() ? index.set.name : QFileInfo(index.file.path).fileName();
}

QStringList captureInputs(const CaptureIndex &index)
{
    return index.set.isSet() ? index.set.sources : QStringList{index.file.path};
}

} // namespace

bool Investigation::openCapture(Host host, const QString &path, QString *error, const ProgressFn &progress,
                                const std::atomic_bool *cancel, IndexContents contents)
{
    return openCapture(host, QStringList{path}, error, progress, cancel, contents);
}

bool Investigation::openCapture(Host host, const QStringList &paths, QString *error,
                                const ProgressFn &progress, const std::atomic_bool *cancel,
                                IndexContents contents)
{
    Read r;
    if (contents == IndexContents::TablesOnly) {
        AnalyzedCapture read =
            loadAndAnalyzeCapture(paths, &r.error, progress, cancel, true, m_scope[int(host)]);
        const QString name = QFileInfo(paths.front()).fileName();
        if (read.index && read.index->cancelled)
            r.error = QStringLiteral("%1: reading cancelled").arg(name);
        else if (read.index && cancel && cancel->load())
            r.error = QStringLiteral("%1: analysis cancelled").arg(name);
        else if (read.index) {
            r.index = std::move(read.index);
            r.analysis = std::make_shared<const CaptureAnalysis>(std::move(read.analysis));
        }
    } else {
        r = readAndAnalyse(paths, progress, cancel, m_scope[int(host)]);
    }
    if (!r.index) {
        if (error) *error = r.error;
        return false;
    }
    setCapture(host, std::move(r.index), std::move(r.analysis));
    return true;
}

bool Investigation::readProvenTunnels(const QStringList &pathsA, const QStringList &pathsB, QString *error,
                                      const CompareProgressFn &progress, const std::atomic_bool *cancel)
{
    if (!hasCapture(Host::A) || !hasCapture(Host::B)) return true;
    Read again[2];
    const PairTunnels judged = ikev2wb::readProvenTunnels(
        *index(Host::A), *index(Host::B), pathsA, pathsB, m_scope, progress,
        [&](int side, const TunnelScope &scope, const ProgressFn &reading) {
            again[side] = readAndAnalyse(side == 0 ? pathsA : pathsB, reading, cancel, scope);
        });
    for (const Host h : {Host::A, Host::B}) {
        if (judged[int(h)].basis != PeerTunnel::Basis::Spis) continue;
        Read &r = again[int(h)];
        if (!r.index) {
            if (error) *error = r.error;
            return false;
        }
        setScope(h, judged[int(h)].scope);
        setCapture(h, std::move(r.index), std::move(r.analysis));
    }
    m_tunnels = judged; // after setCapture(), which drops what was judged of the captures it replaces
    m_comparison.reset();
    return true;
}

bool Investigation::openPair(const QString &pathA, const QString &pathB, QString *error,
                             const CompareProgressFn &progress, const std::atomic_bool *cancel,
                             IndexContents contents)
{
    return openPair(QStringList{pathA}, QStringList{pathB}, error, progress, cancel, contents);
}

bool Investigation::openPair(const QStringList &pathA, const QStringList &pathB, QString *error,
                             const CompareProgressFn &progress, const std::atomic_bool *cancel,
                             IndexContents contents)
{
    PairReadingProgress reading(pathA, pathB, progress);
    Read a, b;
    std::shared_ptr<CompareResult> r;
    // A capture read whole (no tunnel given for it) and holding the IKE/ESP of several tunnels, a
    // hub's: judged against the other before anything is compared, and read again as the one tunnel
    // proven the other's (readProvenTunnels()); else it stays as read.
    PairTunnels judged;
    if (contents == IndexContents::TablesOnly) {
        // Each side analysed and observed for the comparison during its one read: no records.
        ObservedRead o[2];
        auto futureB = std::async(std::launch::async,
                                  [&] { return readObserved(pathB, reading.side(1), cancel, m_scope[1]); });
        o[0] = readObserved(pathA, reading.side(0), cancel, m_scope[0]);
        o[1] = futureB.get();
        if (o[0].index && o[1].index)
            judged = ikev2wb::readProvenTunnels(
                *o[0].index, *o[1].index, pathA, pathB, m_scope, progress,
                [&](int side, const TunnelScope &scope, const ProgressFn &again) {
                    o[side] = {};
                    o[side] = readObserved(side == 0 ? pathA : pathB, again, cancel, scope);
                });
        if (o[0].index && o[1].index)
            r = std::make_shared<CompareResult>(compareCaptures(
                std::move(*o[0].observations), std::move(*o[1].observations), {}, progress, cancel));
        a = std::move(static_cast<Read &>(o[0]));
        b = std::move(static_cast<Read &>(o[1]));
    } else {
        Read *side[2] = {&a, &b};
        auto futureB = std::async(std::launch::async,
                                  [&] { return readAndAnalyse(pathB, reading.side(1), cancel, m_scope[1]); });
        a = readAndAnalyse(pathA, reading.side(0), cancel, m_scope[0]);
        b = futureB.get();
        if (a.index && b.index)
            judged = ikev2wb::readProvenTunnels(
                *a.index, *b.index, pathA, pathB, m_scope, progress,
                [&](int s, const TunnelScope &scope, const ProgressFn &again) {
                    *side[s] = {};
                    *side[s] = readAndAnalyse(s == 0 ? pathA : pathB, again, cancel, scope);
                });
        if (a.index && b.index)
            r = std::make_shared<CompareResult>(compareIndexes(*a.index, *b.index, {}, progress, cancel));
    }
    if (!a.index || !b.index) {
        if (error) *error = !a.index ? a.error : b.error;
        return false;
    }
    if (r->cancelled) {
        if (error)
            *error = QStringLiteral("%1 ⇄ %2: comparison cancelled")
                         .arg(QFileInfo(pathA.front()).fileName(), QFileInfo(pathB.front()).fileName());
        return false;
    }
    setCapture(Host::A, std::move(a.index), std::move(a.analysis));
    setCapture(Host::B, std::move(b.index), std::move(b.analysis));
    for (const Host h : {Host::A, Host::B})
        if (judged[int(h)].basis == PeerTunnel::Basis::Spis) setScope(h, judged[int(h)].scope);
    r->ownTunnel = judged[0];
    r->peerTunnel = judged[1];
    m_tunnels = std::move(judged);
    m_comparison = std::move(r);
    return true;
}

void Investigation::setCapture(Host host, IndexPtr index, AnalysisPtr analysis)
{
    if (index && !analysis) analysis = std::make_shared<const CaptureAnalysis>(analyzeCapture(*index));
    m_index[int(host)] = std::move(index);
    m_analysis[int(host)] = std::move(analysis);
    m_tunnels = PairTunnels{}; // judged for the captures this replaces
    m_comparison.reset();
    m_facts = Facts{};
    m_diagnosis = Diagnosis{};
    m_espDirections[0] = m_espDirections[1] = EspDirections{};
}

bool Investigation::compare(const CompareOptions &options, const CompareProgressFn &progress,
                            const std::atomic_bool *cancel)
{
    m_comparison.reset();
    if (!isPair()) return false;
    auto r =
        std::make_shared<CompareResult>(compareIndexes(*m_index[0], *m_index[1], options, progress, cancel));
    if (r->cancelled) return false;
    r->ownTunnel = m_tunnels[0];
    r->peerTunnel = m_tunnels[1];
    m_comparison = std::move(r);
    return true;
}

bool Investigation::addEvidence(const QString &path, std::optional<Host> host, QString *error)
{
    const int side = host ? int(*host) : -1;
    if (!m_evidence.addPath(path, error, side)) return false;
    m_evidenceInputs << (side < 0 ? path : (side == 0 ? QStringLiteral("A=") : QStringLiteral("B=")) + path);
    return true;
}

const Diagnosis &Investigation::diagnose(const std::atomic_bool *cancel)
{
    DiagnosisInput in;
    in.indexA = m_index[0].get();
    in.analysisA = m_analysis[0].get();
    in.assumptions = m_assumptions;
    QStringList inputs;
    if (m_index[0]) {
        in.nameA = captureName(*m_index[0]);
        inputs << captureInputs(*m_index[0]);
    }
    // The peer joins once it is compared: its numbers alone say nothing about transit.
    if (m_index[1] && m_comparison) {
        in.indexB = m_index[1].get();
        in.analysisB = m_analysis[1].get();
        in.comparison = m_comparison.get();
        in.nameB = captureName(*m_index[1]);
        inputs << captureInputs(*m_index[1]);
    }
    if (!m_evidenceInputs.isEmpty()) in.evidence = &m_evidence;
    m_facts = deriveFacts(in, cancel);
    if (m_facts.cancelled) {
        // Nothing half-done stays: the caller drops the run.
        m_diagnosis = Diagnosis{};
        m_diagnosis.cancelled = true;
        m_espDirections[0] = m_espDirections[1] = EspDirections{};
        return m_diagnosis;
    }
    m_diagnosis = runChecklist(m_facts);
    m_diagnosis.inputs = inputs + m_evidenceInputs;
    if (in.comparison) {
        m_diagnosis.peerTunnel = in.comparison->peerTunnel;
        m_diagnosis.ownTunnel = in.comparison->ownTunnel;
    }
    // A capture read as a ring of files with a file missing: what was not captured is not loss.
    for (int h = 0; h < 2; ++h) {
        if (!m_index[h] || !m_analysis[h] || (h == 1 && !m_comparison)) continue;
        const CaptureSet &set = m_index[h]->set;
        for (std::size_t g = 0; g < set.gaps.size(); ++g) {
            std::uint64_t notCaptured = 0;
            for (const EspSaSequence &s : m_analysis[h]->esp.sas)
                for (const EspMissingRange &r : s.notCapturedRanges)
                    if (r.fileGap == int(g)) notCaptured += r.count();
            std::uint32_t ike = 0;
            for (const IkeSaExchanges &sa : m_analysis[h]->ike.ikeSas)
                for (const IkeExchange &e : sa.exchanges)
                    if (e.fileGap == int(g)) ++ike;
            QString note =
                notCaptured
                    ? QStringLiteral("%1: %2 ESP sequence numbers not captured %3 (a file of the ring is "
                                     "missing): not counted as loss")
                          .arg(captureName(*m_index[h]), QString::number(notCaptured),
                               fileGapText(set, set.gaps[g]))
                    : QStringLiteral("%1: not captured %2 (a file of the ring is missing): no ESP "
                                     "sequence number is known to fall in it (the SAs seen end before "
                                     "it or begin after it); nothing in it is counted as loss")
                          .arg(captureName(*m_index[h]), fileGapText(set, set.gaps[g]));
            if (ike)
                note +=
                    QStringLiteral("; %1 IKE request(s) have their response or outcome in it: not counted "
                                   "as unanswered")
                        .arg(ike);
            m_diagnosis.notes << note;
        }
    }
    // The totals take the drops the facts judged (each SA with its receiver's window): one
    // emulation for both. A capture the diagnosis did not take (B before its comparison) has its own.
    for (int h = 0; h < 2; ++h) {
        if (!m_index[h]) {
            m_espDirections[h] = EspDirections{};
        } else if (m_analysis[h] && m_facts.replayBySa[h].size() == m_index[h]->espSas.size()) {
            m_espDirections[h] = ikev2wb::espDirections(
                *m_index[h], m_analysis[h].get(), m_facts.replayBySa[h], m_diagnosis.basis.replayWindow);
        } else {
            m_espDirections[h] =
                ikev2wb::espDirections(*m_index[h], m_analysis[h].get(), m_diagnosis.basis.replayWindow);
        }
    }
    return m_diagnosis;
}

QStringList Investigation::warnings() const
{
    QStringList out;
    for (const IndexPtr &ix : m_index)
        if (ix && ix->partial && !ix->warnings.empty()) out << ix->warnings.front().message;
    for (const EvidenceFile &f : m_evidence.files())
        if (!f.status.ok()) out << f.status.error;
    return out;
}

bool diagnoseFiles(const DiagnosisFiles &files, Investigation &out, QString *error)
{
    out.setScope(Host::A, files.scopeA);
    out.setScope(Host::B, files.scopeB);
    if (files.captureB.isEmpty()
            ? !out.openCapture(Host::A, files.captureA, error, {}, nullptr, files.contents)
            : !out.openPair(files.captureA, files.captureB, error, {}, nullptr, files.contents))
        return false;
    const std::pair<const QStringList *, std::optional<Host>> evidence[] = {
        {&files.evidence, std::nullopt}, {&files.evidenceA, Host::A}, {&files.evidenceB, Host::B}};
    for (const auto &[paths, host] : evidence)
        for (const QString &p : *paths)
            if (!out.addEvidence(p, host, error)) return false;
    out.setAssumptions(files.assumptions);
    out.diagnose();
    return true;
}

} // namespace ikev2wb
