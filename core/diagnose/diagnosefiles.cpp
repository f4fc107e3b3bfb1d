// Loading the files of a diagnosis: both captures (index + analysis, and the comparison) and
// the host evidence.
#include "checklist.h"
#include "index/indexbuilder.h"

#include <QFileInfo>

namespace ikev2wb {

bool diagnoseFiles(const DiagnosisFiles &files, LoadedDiagnosis &out, QString *error)
{
    QString err;
    out.indexA = loadCapture(files.captureA, &err);
    if (!out.indexA) {
        if (error) *error = err;
        return false;
    }
    out.analysisA = analyzeCapture(*out.indexA);
    DiagnosisInput in;
    in.indexA = out.indexA.get();
    in.analysisA = &out.analysisA;
    in.nameA = QFileInfo(files.captureA).fileName();
    in.assumptions = files.assumptions;
    QStringList inputs{files.captureA};
    if (!files.captureB.isEmpty()) {
        out.indexB = loadCapture(files.captureB, &err);
        if (!out.indexB) {
            if (error) *error = err;
            return false;
        }
        out.analysisB = analyzeCapture(*out.indexB);
        CompareResult cmp;
        if (!compareCaptureFiles(files.captureA, files.captureB, cmp, &err)) {
            if (error) *error = err;
            return false;
        }
        out.comparison = std::move(cmp);
        in.indexB = out.indexB.get();
        in.analysisB = &out.analysisB;
        in.comparison = &*out.comparison;
        in.nameB = QFileInfo(files.captureB).fileName();
        inputs << files.captureB;
    }
    for (const CaptureIndex *ix : {out.indexA.get(), out.indexB.get()})
        if (ix && ix->partial && !ix->warnings.empty()) out.warnings << ix->warnings.front().message;
    const std::pair<const QStringList *, int> evidence[] = {
        {&files.evidence, -1}, {&files.evidenceA, 0}, {&files.evidenceB, 1}};
    for (const auto &[paths, side] : evidence) {
        for (const QString &p : *paths) {
            if (!out.evidence.addPath(p, &err, side)) {
                if (error) *error = err;
                return false;
            }
            inputs << (side < 0 ? p : (side == 0 ? QStringLiteral("A=") : QStringLiteral("B=")) + p);
        }
    }
    for (const EvidenceFile &f : out.evidence.files())
        if (!f.status.ok()) out.warnings << f.status.error;
    if (!files.evidence.isEmpty() || !files.evidenceA.isEmpty() || !files.evidenceB.isEmpty())
        in.evidence = &out.evidence;
    out.facts = deriveFacts(in);
    out.diagnosis = runChecklist(out.facts);
    out.diagnosis.inputs = inputs;
    return true;
}

} // namespace ikev2wb
