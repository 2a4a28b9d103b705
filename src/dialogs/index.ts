import { DialogSet, type DialogState } from 'botbuilder-dialogs';
import type { StatePropertyAccessor } from 'botbuilder';
import type { DirectoryPort } from '../domain/directory';
import { FixWalkthroughDialog } from './fix-walkthrough-dialog';
import { TriageDialog, type DiagnosisReport, type DialogLogger } from './triage-dialog';

export { TRIAGE_DIALOG, type TriageOptions, type DialogLogger, type DiagnosisReport } from './triage-dialog';
export { FIX_WALKTHROUGH_DIALOG } from './fix-walkthrough-dialog';
export * from './turn-data';
export * from './send';
export * from './present';

/** Builds the dialog set over the given dialog-state accessor. */
export function createDialogSet(
  accessor: StatePropertyAccessor<DialogState>,
  deps: { directory: DirectoryPort; log: DialogLogger; lookupBudgetMs?: number; onDiagnosis?: (report: DiagnosisReport) => Promise<void> },
): DialogSet {
  const set = new DialogSet(accessor);
  set.add(new TriageDialog(deps.directory, deps.log, deps.lookupBudgetMs, deps.onDiagnosis));
  set.add(new FixWalkthroughDialog());
  return set;
}
