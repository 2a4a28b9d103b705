/**
 * The knowledge base: one fix playbook per cause (shared/triage-contract.md §1).
 *
 * Facts come from the seed articles in shared/seeds/, checked against what
 * Microsoft documents; the wording is our own. Steps run cheapest and safest
 * first. Anything that can lose data or leave a device broken carries a warning.
 */
import type { CauseId } from './causes';
import type { FixStep, Playbook } from './playbook';

// ---------------------------------------------------------------------------
// Shared wording
// ---------------------------------------------------------------------------

/** Shown before every OneDrive reset or unlink. */
const ONLINE_ONLY_WARNING =
  'Before you unlink or reset OneDrive, make sure you have a copy of every important file that is online-only (it shows a cloud icon in File Explorer and is not stored on this PC). ' +
  'If File Explorer cannot open those files right now, download them from OneDrive on the web (https://www.office.com > OneDrive) and save them in a folder outside OneDrive. ' +
  'Files already on this PC (green tick) stay where they are.';

/** Shown before the Credential Manager clean-up. */
const CREDENTIAL_WARNING =
  'Remove only the Office and OneDrive entries: names that contain MicrosoftOffice16, OneDrive Cached Credential, Microsoft.AAD.BrokerPlugin or ADAL. ' +
  'Leave every other entry alone, especially those for your VPN, network shares (mapped drives, \\\\server names), Wi-Fi or printers, or you will have to set them up again.';

/** Shown with every playbook on the network path and with stale credentials. */
const NO_THIRD_PARTY_TOOLS_WARNING =
  'Never download third-party "OneDrive repair tools" or "sign-in fixers" from the web: the only repair tool OneDrive needs is built in (the /reset command), and unknown programs can steal your password or damage your PC.';

/** Shown before dsregcmd /leave. */
const DSREG_LEAVE_WARNING =
  'Run dsregcmd /leave only while the PC is connected to the corporate network (in the office, on the wired or company Wi-Fi network). ' +
  'Off the corporate network the device cannot register again and is left half-joined, and nobody can sign in with single sign-on until IT repairs it. ' +
  'Never use dsregcmd /join by hand: Windows re-registers the device itself after the restart.';

/** Shown before a Winsock / IP reset. */
const WINSOCK_WARNING =
  'This resets the PC\'s network settings to their defaults and cannot be undone (a system restore point can). ' +
  'Write down any fixed IP address or custom DNS server first, and expect that some VPN or security software may need to be reconnected or reinstalled afterwards.';

const ONEDRIVE_WEB = 'https://www.office.com';
const OPEN_ONEDRIVE_SETTINGS = 'Right-click the OneDrive cloud icon in the taskbar (next to the clock) > Help & Settings (gear icon) > Settings';

// ---------------------------------------------------------------------------
// Steps reused by several playbooks (ids only need to be unique per playbook)
// ---------------------------------------------------------------------------

const restartOneDrive: FixStep = {
  id: 'restart-onedrive',
  title: 'Quit OneDrive and start it again',
  instructions: [
    'Right-click the OneDrive cloud icon in the taskbar (next to the clock) > Help & Settings (gear icon) > Quit OneDrive, and confirm with Close OneDrive.',
    'Wait about 15 seconds.',
    'Open the Start menu, type OneDrive and open the OneDrive app.',
    'If OneDrive asks you to sign in, sign in with your work email address and your current password.',
  ],
  audience: 'self-service',
  check: 'The cloud icon turns white or blue without a red cross and the sign-in error does not come back.',
};

const clearOfficeCredentials: FixStep = {
  id: 'clear-credential-manager',
  title: 'Remove the saved Office and OneDrive sign-in details',
  instructions: [
    'Quit OneDrive first: right-click the OneDrive cloud icon in the taskbar > Help & Settings (gear icon) > Quit OneDrive.',
    'Press Windows+R, type control /name Microsoft.CredentialManager and press Enter.',
    'Select Windows Credentials.',
    'Under Generic Credentials, find the entries whose names contain MicrosoftOffice16 (for example MicrosoftOffice16_Data:SSPI:you@company.com), OneDrive Cached Credential, Microsoft.AAD.BrokerPlugin or ADAL.',
    'For each of those entries only: select the arrow to expand it > Remove > Yes.',
    'Sign out of Windows and sign in again (or restart the PC).',
    'Open OneDrive from the Start menu and sign in with your work email address and current password when it asks.',
  ],
  audience: 'self-service',
  warning: CREDENTIAL_WARNING,
  check: 'OneDrive asks for your password once, accepts it, and the cloud icon no longer shows an error.',
};

const unlinkAndRelink: FixStep = {
  id: 'unlink-and-relink',
  title: 'Unlink this PC and set OneDrive up again',
  instructions: [
    `${OPEN_ONEDRIVE_SETTINGS} > Account > Unlink this PC, then confirm with Unlink account.`,
    'When the Set up OneDrive window opens, enter your work email address and select Sign in.',
    'Sign in with your current password and finish any security check.',
    'When OneDrive asks about your existing OneDrive folder, select Use this folder so it reuses the files already on this PC.',
    'Choose the folders to sync, then select Next until setup finishes.',
  ],
  audience: 'self-service',
  warning: ONLINE_ONLY_WARNING,
  check: 'Setup finishes, the cloud icon turns white or blue, and files start syncing again.',
};

const resetOneDrive: FixStep = {
  id: 'reset-onedrive',
  title: 'Reset the OneDrive app',
  instructions: [
    'Press Windows+R, type %localappdata%\\Microsoft\\OneDrive\\onedrive.exe /reset and press Enter (run it as yourself, not as administrator).',
    'If Windows says it cannot find the file, try C:\\Program Files\\Microsoft OneDrive\\onedrive.exe /reset instead, and then C:\\Program Files (x86)\\Microsoft OneDrive\\onedrive.exe /reset.',
    'Wait: the OneDrive icon disappears and comes back on its own within a few minutes.',
    'If the icon has not come back after a few minutes, open OneDrive from the Start menu.',
    'Sign in with your work email address and current password, and choose your folders again if OneDrive asks.',
  ],
  audience: 'self-service',
  warning: `${ONLINE_ONLY_WARNING} A reset keeps your files but makes OneDrive check every file again, which can take a long time for a large OneDrive.`,
  check: 'OneDrive signs in, the cloud icon turns white or blue, and files sync again.',
};

const updateOneDrive: FixStep = {
  id: 'update-onedrive',
  title: 'Make sure OneDrive is up to date',
  instructions: [
    `${OPEN_ONEDRIVE_SETTINGS} > About, and note the version number.`,
    'Compare it with the current release on Microsoft\'s OneDrive release notes page (search for "OneDrive release notes" on support.microsoft.com).',
    'If yours is much older, download OneDrive only from Microsoft: https://www.microsoft.com/microsoft-365/onedrive/download, run the installer and restart the PC.',
    'On a company PC where the installer is blocked, ask IT to update OneDrive for you.',
  ],
  audience: 'self-service',
  check: 'Settings > About shows a current version and OneDrive signs in.',
};

// ---------------------------------------------------------------------------
// The playbooks
// ---------------------------------------------------------------------------

export const PLAYBOOKS: Readonly<Record<CauseId, Playbook>> = {
  'stale-credentials': {
    causeId: 'stale-credentials',
    title: 'Saved sign-in details are out of date',
    explanation:
      'Windows and OneDrive are still using a saved password or sign-in token from before your password was changed or reset. ' +
      'Microsoft 365 rejects that old sign-in, so OneDrive cannot refresh its access and shows the error instead of asking you again.',
    evidenceFor: [
      'Entra refused OneDrive with code 50126 (wrong password) after your password change',
      'Codes 50133 or 50173 show the saved sign-in ended because the password changed',
      'You changed or reset your password recently',
      'OneDrive on the web works with your new password',
    ],
    evidenceAgainst: [
      'Your password has not changed for weeks and no wrong-password refusals are logged',
      'No OneDrive sign-in attempts reach Entra at all (points to the network instead)',
      'The browser also refuses your new password (points to the account itself)',
    ],
    steps: [
      restartOneDrive,
      {
        id: 'lock-and-unlock-windows',
        title: 'Lock and unlock Windows with your new password',
        instructions: [
          'Press Windows+L to lock the PC.',
          'Unlock it with your new password (not your PIN or face), so Windows picks up the new password.',
          'If you work from home, connect the company VPN first if you have one, then lock and unlock.',
          'Quit OneDrive and start it again from the Start menu.',
        ],
        audience: 'self-service',
        check: 'OneDrive starts without the error, or asks once for your password and accepts it.',
      },
      clearOfficeCredentials,
      unlinkAndRelink,
      resetOneDrive,
    ],
    warnings: [NO_THIRD_PARTY_TOOLS_WARNING, 'Use the password you use today: typing the old one again and again can lock your account.'],
    verify:
      'The OneDrive cloud icon is white or blue without a red cross and new files sync. Restart the PC once: OneDrive should start signed in without asking for your password.',
    escalateWhen:
      'Ask the help desk if the error is still there after the reset, or if OneDrive keeps rejecting a password that works on the web. Also stop if your account gets locked while you try.',
  },

  'password-sync-delay': {
    causeId: 'password-sync-delay',
    title: 'Your new password has not reached Microsoft 365 yet',
    explanation:
      'Your company keeps passwords in its own directory and copies them to Microsoft 365, and your new password has not arrived there yet (or the company sign-in server is not answering). ' +
      'Until it does, Microsoft 365 only knows your old password, so OneDrive\'s sign-in with the new one is refused.',
    evidenceFor: [
      'Your account is synchronised from the company directory (hybrid identity)',
      'You changed your password, but Entra does not show the change yet',
      'Entra refused the sign-in with code 50126 (wrong password)',
      'Your old password still works on the web, or neither password works right after the change',
    ],
    evidenceAgainst: [
      'Your account is cloud-only (not synchronised from the company directory)',
      'Entra already shows the new password change date',
      'Your new password works on the web but OneDrive still fails (points to saved credentials instead)',
    ],
    steps: [
      {
        id: 'wait-for-password-sync',
        title: 'Give the new password time to arrive',
        instructions: [
          'Quit OneDrive: right-click the OneDrive cloud icon in the taskbar > Help & Settings (gear icon) > Quit OneDrive.',
          'Wait 30 minutes: a new password usually reaches Microsoft 365 within 2 to 30 minutes.',
          'Do not keep retrying in the meantime: repeated attempts can lock your account.',
        ],
        audience: 'self-service',
      },
      {
        id: 'unlock-on-corporate-network',
        title: 'Lock and unlock Windows on the company network',
        instructions: [
          'Connect to the company network: in the office, or over the company VPN if you work remotely.',
          'Press Windows+L to lock the PC, then unlock it with your new password (not your PIN).',
          'Start OneDrive from the Start menu and sign in with your new password.',
        ],
        audience: 'self-service',
        check: 'OneDrive accepts the new password.',
      },
      {
        id: 'test-new-password-on-web',
        title: 'Check which password Microsoft 365 accepts',
        instructions: [
          'Open a private browser window (Ctrl+Shift+N in Edge or Chrome).',
          `Go to ${ONEDRIVE_WEB} and sign in with your new password.`,
          'If only the old password works there, the new one has not arrived yet: wait a little longer and tell the help desk if it takes more than an hour.',
          'If the new password works there, quit OneDrive and start it again.',
        ],
        audience: 'self-service',
        check: 'The new password works on the web and in OneDrive.',
      },
      {
        id: 'check-sync-and-federation',
        title: 'IT: check password sync and federation health',
        instructions: [
          'In the Microsoft Entra admin center, open the Microsoft Entra Connect page (Identity > Hybrid management > Microsoft Entra Connect, or Entra ID > Entra Connect in the newer menu) and check the last sync time and any sync errors; check Microsoft Entra Connect Health if it is in use.',
          'On the Microsoft Entra Connect server, check the Application event log for password hash synchronisation events (IDs 656 and 657) for this user.',
          'For a federated domain, check the AD FS servers are up and run Get-AdfsRelyingPartyTrust -Name "Microsoft Office 365 Identity Platform" on an AD FS server to confirm the trust exists and is enabled.',
          'Check the user\'s Entra sign-in log entry to see whether the refusal came from Entra (50126) or from the federation server.',
        ],
        audience: 'needs-admin',
        check: 'The user\'s password change appears in Entra and the next sign-in succeeds.',
      },
    ],
    warnings: [
      'Do not keep retrying with either password: every wrong attempt counts towards a lockout.',
      'Do not clear saved credentials or reset OneDrive while you wait; that does not speed the password up.',
    ],
    verify:
      'OneDrive signs in with the new password and the cloud icon is white or blue. After a restart of the PC, OneDrive starts without asking again.',
    escalateWhen:
      'Contact the help desk if the new password still does not work on the web an hour after the change. Also escalate at once if colleagues who changed their passwords have the same problem.',
  },

  'conditional-access-block': {
    causeId: 'conditional-access-block',
    title: 'A company access policy is blocking OneDrive',
    explanation:
      'Your company uses Conditional Access policies that decide when, where and from which device you may use Microsoft 365, and one of them is refusing OneDrive\'s sign-in. ' +
      'OneDrive renews its access silently in the background, so a policy that blocks that renewal shows up as a sign-in error even though your password is fine.',
    evidenceFor: [
      'Entra refused OneDrive with code 53003 (blocked by Conditional Access)',
      'A named Conditional Access policy shows the result Failure for your OneDrive sign-ins',
      'It started after a policy change, or only happens from one place such as home',
    ],
    evidenceAgainst: [
      'The failing sign-ins show Conditional Access as Success or Not applied',
      'No OneDrive sign-in attempts reach Entra at all (points to the network instead)',
    ],
    steps: [
      {
        id: 'note-error-details',
        title: 'Write down what happened',
        instructions: [
          'Take a screenshot of the OneDrive error: press Windows+Shift+S and select the window.',
          'Note the date and time of the error, the error code, and where you were (office, home, VPN, another country).',
          'Note which PC you used and whether it is a company PC or your own.',
          'If the error window has a More details link, copy the Request ID and Correlation ID it shows.',
        ],
        audience: 'self-service',
      },
      {
        id: 'try-from-office-or-managed-device',
        title: 'Try from the office network or a company device',
        instructions: [
          'If you can, connect to the office network or the company VPN, then quit and restart OneDrive.',
          'If you are on a personal PC, try on a company-managed PC instead.',
          `In the meantime you can open your files in OneDrive on the web (${ONEDRIVE_WEB}), if your company allows that.`,
        ],
        audience: 'self-service',
        check: 'OneDrive signs in from the office network or company device (this tells IT the policy is about location or device).',
      },
      {
        id: 'find-blocking-policy',
        title: 'IT: find the policy in the non-interactive sign-in logs',
        instructions: [
          'The OneDrive sync client renews its token silently, so its refresh is a non-interactive sign-in: look there, not only in interactive sign-ins.',
          'Microsoft Entra admin center > Monitoring & health > Sign-in logs > User sign-ins (non-interactive).',
          'Filter on the user, the time of the error, Status Failure, and the application OneDrive SyncEngine.',
          'Open the failing entry > Conditional Access tab, and note each policy with the result Failure and the grant controls or conditions that failed.',
        ],
        audience: 'needs-admin',
      },
      {
        id: 'test-with-what-if',
        title: 'IT: confirm with the What If tool',
        instructions: [
          'Microsoft Entra admin center > Protection > Conditional Access > Policies > What If (Entra ID > Conditional Access in the newer menu).',
          'Enter the user, the resource from the failing log entry, the IP address or country, the device platform and the device state from the log.',
          'Select What If and confirm which policies apply and which one blocks.',
        ],
        audience: 'needs-admin',
      },
      {
        id: 'adjust-policy-narrowly',
        title: 'IT: correct the policy without weakening security',
        instructions: [
          'Fix the real mismatch first: a missing named location, a device filter, or grant controls the user\'s device cannot satisfy.',
          'Do not disable the policy or exclude all users or all resources; if an exception is truly needed, scope it as narrowly as possible to the OneDrive sync client\'s sign-ins and the affected users or group.',
          'Put the changed or new policy in Report-only mode first and check its report-only result in the non-interactive sign-in logs before switching it On.',
          'Policy changes can take time to apply: allow at least 30 minutes before testing.',
          'Run What If again to confirm the result, then ask the user to quit and restart OneDrive and check that the next non-interactive sign-in in the Sign-in logs succeeds.',
        ],
        audience: 'needs-admin',
        check: 'The user\'s next OneDrive SyncEngine non-interactive sign-in shows Success with no policy failure.',
      },
    ],
    warnings: [
      'Do not try to get around the policy (for example with a personal VPN or another account): it is there to protect company data.',
      'Do not unlink or reset OneDrive for this problem; a fresh sign-in is blocked by the same policy.',
    ],
    verify:
      'OneDrive signs in and the cloud icon is white or blue. It still works after a restart of the PC and the next day from the same place.',
    escalateWhen:
      'Escalate to IT straight away with your notes: only an administrator can change Conditional Access. Escalate again if the error returns after IT changed the policy.',
  },

  'device-not-compliant': {
    causeId: 'device-not-compliant',
    title: 'This device does not meet the company\'s device rules',
    explanation:
      'Your company only lets OneDrive sync on devices that are managed and meet its security rules (for example up-to-date Windows, encryption and antivirus), and this device does not pass at the moment. ' +
      'Microsoft 365 checks this on every sign-in, so OneDrive is refused until the device reports as compliant again.',
    evidenceFor: [
      'Entra refused OneDrive with code 53000 (device not compliant) or 530003 (device must be managed)',
      'The sign-in log shows this device as not compliant or not managed',
      'You are using a personal device',
    ],
    evidenceAgainst: [
      'The sign-in log shows this device as compliant',
      'No device-related code appears in the failing sign-ins',
    ],
    steps: [
      {
        id: 'check-company-portal',
        title: 'See what Company Portal says is wrong',
        instructions: [
          'Open the Start menu, type Company Portal and open it.',
          'Select Devices and then this PC.',
          'Select Check status (or Check access) and read what it lists as not meeting the rules.',
        ],
        audience: 'self-service',
        check: 'Company Portal shows the device as able to access company resources.',
      },
      {
        id: 'fix-listed-issues',
        title: 'Fix what Company Portal lists',
        instructions: [
          'Settings > Windows Update > Check for updates, install everything offered and restart when asked.',
          'Fix anything else Company Portal lists, following the link it gives next to each item (for example turning on BitLocker or updating antivirus).',
        ],
        audience: 'self-service',
      },
      {
        id: 'sync-device',
        title: 'Ask the device to report its status again',
        instructions: [
          'Settings > Accounts > Access work or school > select your work account > Info > Sync.',
          'In Company Portal, select Devices > this PC > Check status again.',
          'The new status can take a while to reach Microsoft 365: wait 15 to 30 minutes, then quit and restart OneDrive.',
        ],
        audience: 'self-service',
        check: 'Company Portal reports no issues and OneDrive signs in.',
      },
      {
        id: 'personal-device-options',
        title: 'On a personal device: use the web, or enrol the device',
        instructions: [
          `Use OneDrive on the web (${ONEDRIVE_WEB}) for now, if your company allows it.`,
          'If your company lets personal devices sync, install Company Portal from the Microsoft Store and enrol the device as IT describes.',
          'If your company does not allow personal devices, use your company PC for synced files.',
        ],
        audience: 'self-service',
      },
      {
        id: 'remediate-in-intune',
        title: 'IT: check and fix compliance in Intune',
        instructions: [
          'Microsoft Intune admin center > Devices > All devices > select the device > Device compliance, and open the failing policy to see which setting fails.',
          'Confirm the device is enrolled, its primary user is right, and it checked in recently; trigger Sync from the device page.',
          'Remediate the failing setting, or correct the compliance policy if it is wrong for this device type.',
          'Check the user\'s sign-in log entry afterwards: the device should show as compliant and managed.',
        ],
        audience: 'needs-admin',
        check: 'Intune shows the device as Compliant and the next OneDrive sign-in succeeds.',
      },
    ],
    warnings: [
      'Do not unlink or reset OneDrive for this problem; the device check happens again on every sign-in.',
      'On a company PC, do not turn off security features or uninstall company software to make the check pass.',
    ],
    verify:
      'Company Portal shows no issues and OneDrive signs in with a white or blue cloud icon. It still works after restarting the PC.',
    escalateWhen:
      'Contact the help desk if Company Portal shows nothing to fix but OneDrive is still refused after 30 minutes. Also escalate if Company Portal cannot find this device or enrolment fails.',
  },

  'device-trust-broken': {
    causeId: 'device-trust-broken',
    title: 'The PC\'s link with the company directory is broken',
    explanation:
      'Your PC is registered with Microsoft Entra so that it can sign you in to Microsoft 365 automatically, and that registration is missing or out of date. ' +
      'Without it Windows cannot pass your sign-in on to OneDrive, and policies that require a known company device refuse the request.',
    evidenceFor: [
      'Entra refused OneDrive with code 50097, 50129 or 53001 (device not recognised)',
      'OneDrive showed error CAA50021',
      'The sign-in log shows no join type for what should be a company PC',
      'dsregcmd /status shows AzureAdJoined: NO or AzureAdPrt: NO on a company PC',
    ],
    evidenceAgainst: [
      'dsregcmd /status shows the device joined and AzureAdPrt: YES',
      'The sign-in log shows the device as joined and recognised',
    ],
    steps: [
      {
        id: 'check-dsregcmd-status',
        title: 'Check the device registration',
        instructions: [
          'Open the Start menu, type cmd and open Command Prompt (no administrator rights needed).',
          'Type dsregcmd /status and press Enter.',
          'Under Device State, look at AzureAdJoined and DomainJoined (on a personal PC, look at WorkplaceJoined under User State).',
          'Under SSO State, look at AzureAdPrt; YES means Windows holds a valid sign-in for Microsoft 365.',
          'To send the result to IT, type dsregcmd /status | clip and press Enter, then paste it (Ctrl+V) into your message.',
        ],
        audience: 'self-service',
      },
      {
        id: 'restart-on-corporate-network',
        title: 'Restart and sign in to Windows on the company network',
        instructions: [
          'Connect to the company network (in the office, or over the company VPN).',
          'Start > Power > Restart.',
          'Sign in to Windows with your work password, then press Windows+L and unlock again with your password.',
          'Run dsregcmd /status again and check whether AzureAdPrt now shows YES, then start OneDrive.',
        ],
        audience: 'self-service',
        check: 'dsregcmd /status shows AzureAdPrt: YES and OneDrive signs in.',
      },
      {
        id: 'reconnect-work-account',
        title: 'On a personal (registered) PC: reconnect your work account',
        instructions: [
          'Only do this when dsregcmd /status shows WorkplaceJoined: YES and AzureAdJoined: NO.',
          'Settings > Accounts > Access work or school > select your work account > Disconnect, and confirm.',
          'Restart the PC.',
          'Settings > Accounts > Access work or school > Connect, and sign in with your work account.',
          'Start OneDrive and sign in.',
        ],
        audience: 'self-service',
        warning:
          'Do not disconnect an account marked "Connected to (your company) Azure AD" or "Microsoft Entra ID" on a company PC: that removes the PC from the company directory, needs administrator rights and must be fixed by IT.',
        check: 'The work account shows as connected again and OneDrive signs in.',
      },
      {
        id: 'check-device-object',
        title: 'IT: check the device in Entra',
        instructions: [
          'Microsoft Entra admin center > Devices > All devices, search for the PC name.',
          'Check that the device exists, is Enabled, has the expected join type and recent activity, and has not been deleted or disabled by a stale-device clean-up.',
          'Compare with the user\'s dsregcmd /status output and the failing sign-in log entry.',
        ],
        audience: 'needs-admin',
      },
      {
        id: 'rejoin-device',
        title: 'IT: re-register the device',
        instructions: [
          'For a hybrid-joined PC: in the office on the corporate network, open Command Prompt as administrator.',
          'Type dsregcmd /leave and press Enter.',
          'Restart the PC while it stays on the corporate network, and sign in as the user; Windows re-registers the device on its own (the Automatic-Device-Join task).',
          'Run dsregcmd /status and check AzureAdJoined: YES and AzureAdPrt: YES, then start OneDrive.',
          'For a PC joined only to Microsoft Entra (not hybrid), re-enrol it through the normal company process (for example Windows Autopilot) instead.',
        ],
        audience: 'needs-admin',
        needsLocalAdmin: true,
        warning: DSREG_LEAVE_WARNING,
        check: 'dsregcmd /status shows the device joined with AzureAdPrt: YES and OneDrive signs in.',
      },
    ],
    warnings: [
      'Do not run dsregcmd /leave yourself from home or on public Wi-Fi: the PC is left half-joined and needs IT to repair it.',
      'Unlinking or resetting OneDrive does not fix a broken device registration.',
    ],
    verify:
      'dsregcmd /status shows AzureAdPrt: YES and OneDrive signs in with a white or blue cloud icon. After a restart, OneDrive starts without asking you to sign in.',
    escalateWhen:
      'Contact the help desk with the dsregcmd /status output if AzureAdPrt still shows NO after a restart on the company network. Escalate straight away if the PC is company-joined, since only IT can re-register it.',
  },

  'mfa-required': {
    causeId: 'mfa-required',
    title: 'OneDrive needs you to complete a security check',
    explanation:
      'Your company requires multi-factor authentication (for example an Authenticator approval) for this sign-in, and OneDrive\'s silent background renewal cannot show you that prompt. ' +
      'The renewal is refused until you sign in once where you can approve the check.',
    evidenceFor: [
      'Entra refused OneDrive with code 50076 or 50074 (multi-factor authentication needed)',
      'Code 50158 shows an extra security check was not completed',
      'Your password was accepted but the sign-in stopped at the security check',
    ],
    evidenceAgainst: [
      'The failing sign-ins were refused for the password (50126), not for the security check',
      'No OneDrive sign-in attempts reach Entra at all',
    ],
    steps: [
      {
        id: 'sign-in-interactively',
        title: 'Sign in to OneDrive and approve the check',
        instructions: [
          'Select the OneDrive cloud icon in the taskbar; if it shows a Sign in button or banner, select it.',
          'If not, quit OneDrive (right-click the cloud icon > Help & Settings (gear icon) > Quit OneDrive) and open it again from the Start menu.',
          'Sign in with your work account and approve the request in Microsoft Authenticator, or enter the code you receive.',
        ],
        audience: 'self-service',
        check: 'OneDrive accepts the approval and the cloud icon turns white or blue.',
      },
      {
        id: 'check-security-info',
        title: 'Make sure your security method still works',
        instructions: [
          'In a browser, go to https://aka.ms/mysecurityinfo and sign in.',
          'Check that your current phone or Authenticator app is listed and that the default sign-in method is one you can use.',
          'If you changed phones, add the new phone or Authenticator app and remove the old one.',
        ],
        audience: 'self-service',
      },
      {
        id: 'review-mfa-policy',
        title: 'IT: review why the silent refresh needs MFA',
        instructions: [
          'Microsoft Entra admin center > Monitoring & health > Sign-in logs > User sign-ins (non-interactive): find the OneDrive SyncEngine failures with 50076, 50074 or 50158.',
          'Open the Conditional Access tab to see which policy requires MFA, and check its sign-in frequency and authentication strength.',
          'Check the device: on a PC joined to Entra and signed in with Windows Hello for Business, the Windows sign-in already satisfies MFA; a missing or stale device registration can cause repeated prompts.',
          'Do not exclude OneDrive from MFA broadly; change only what is wrongly scoped, test in Report-only first, and allow time for changes to apply.',
        ],
        audience: 'needs-admin',
      },
    ],
    warnings: ['Only approve Authenticator requests that you started yourself; if you get a request you did not expect, deny it and tell IT.'],
    verify:
      'OneDrive shows a white or blue cloud icon and files sync. After a restart of the PC it does not ask again straight away.',
    escalateWhen:
      'Contact the help desk if the security check never arrives or cannot be completed. Also escalate if OneDrive asks for the check again every few hours.',
  },

  'mfa-registration-required': {
    causeId: 'mfa-registration-required',
    title: 'You need to set up your security info first',
    explanation:
      'Your company requires every account to have a second sign-in method (such as the Microsoft Authenticator app or a phone number), and yours has not been set up yet. ' +
      'OneDrive cannot show the setup pages in the background, so the sign-in is refused until you register.',
    evidenceFor: [
      'Entra refused OneDrive with code 50079 (security info must be registered)',
      'A browser sign-in shows "More information required"',
      'Your account is new or your security methods were reset',
    ],
    evidenceAgainst: [
      'https://aka.ms/mysecurityinfo already lists a method you can use',
      'The failing sign-ins show a different code',
    ],
    steps: [
      {
        id: 'register-security-info',
        title: 'Register a sign-in method',
        instructions: [
          'In a browser, go to https://aka.ms/mysecurityinfo and sign in with your work account.',
          'When "More information required" appears, select Next.',
          'Follow the steps to add Microsoft Authenticator (recommended) or a phone number, and complete the test approval.',
        ],
        audience: 'self-service',
        check: 'The Security info page lists your new method.',
      },
      {
        id: 'restart-onedrive-after-registration',
        title: 'Sign in to OneDrive again',
        instructions: [
          'Right-click the OneDrive cloud icon in the taskbar > Help & Settings (gear icon) > Quit OneDrive.',
          'Open OneDrive from the Start menu and sign in, approving the security check with your new method.',
        ],
        audience: 'self-service',
        check: 'OneDrive signs in and the cloud icon turns white or blue.',
      },
      {
        id: 'issue-temporary-access-pass',
        title: 'IT: help if the user cannot register',
        instructions: [
          'Check whether the registration policy only allows registration from trusted locations or compliant devices.',
          'If the user cannot register (no phone, new phone, away from the office), issue a Temporary Access Pass: Microsoft Entra admin center > Users > All users > select the user > Authentication methods > Add authentication method > Temporary Access Pass.',
          'Give the pass to the user through a verified channel and have them register at https://aka.ms/mysecurityinfo.',
        ],
        audience: 'needs-admin',
      },
    ],
    warnings: ['Register only on the official page https://aka.ms/mysecurityinfo; never enter your password on a page someone sent you in an unexpected message.'],
    verify: 'OneDrive signs in and files sync with a white or blue cloud icon. After restarting the PC, OneDrive starts without another setup prompt.',
    escalateWhen:
      'Contact the help desk if https://aka.ms/mysecurityinfo will not let you add a method. Also escalate if OneDrive still asks for more information after you registered.',
  },

  'session-expired': {
    causeId: 'session-expired',
    title: 'Your OneDrive sign-in has expired',
    explanation:
      'For security, the saved sign-in that OneDrive uses only lasts for a set time, and yours has run out (because of a company time limit or because OneDrive was not used for a long while). ' +
      'OneDrive cannot renew an expired sign-in silently, so it needs you to sign in again.',
    evidenceFor: [
      'Entra refused OneDrive with code 70043 or 70044 (sign-in frequency limit reached)',
      'Code 700082 shows the saved sign-in expired after a long time unused',
      'OneDrive worked until recently and nothing else changed',
    ],
    evidenceAgainst: [
      'The failing sign-ins show a password, device or policy block code instead',
      'Signing in again is refused too',
    ],
    steps: [
      {
        id: 'sign-in-again',
        title: 'Sign in to OneDrive again',
        instructions: [
          'Select the OneDrive cloud icon in the taskbar; if it shows a Sign in button or banner, select it.',
          'If not, quit OneDrive (right-click the cloud icon > Help & Settings (gear icon) > Quit OneDrive) and open it again from the Start menu.',
          'Sign in with your work account and complete any security check.',
        ],
        audience: 'self-service',
        check: 'The cloud icon turns white or blue and files sync.',
      },
      {
        id: 'note-how-often',
        title: 'Note how often it happens',
        instructions: [
          'If OneDrive asks you to sign in again within a day or a few days, write down each date and time it happens.',
          'Send that list to the help desk: it shows IT which time limit is too short.',
        ],
        audience: 'self-service',
      },
      {
        id: 'review-session-lifetime',
        title: 'IT: review sign-in frequency and token lifetime',
        instructions: [
          'Microsoft Entra admin center > Monitoring & health > Sign-in logs > User sign-ins (non-interactive): find the OneDrive SyncEngine failures with 70043, 70044 or 700082.',
          'Open the Conditional Access tab and check the sign-in frequency session control of the applied policies, and any configurable token lifetime policy assigned to the tenant or app.',
          'If the frequency is shorter than intended for the sync client, adjust the policy scope rather than removing the control for everyone; test the change in Report-only first and allow time for it to apply.',
        ],
        audience: 'needs-admin',
      },
    ],
    warnings: ['Unlinking or resetting OneDrive is not needed here: signing in again is enough.'],
    verify: 'OneDrive signs in and files sync with a white or blue cloud icon. After a restart of the PC, OneDrive starts without asking again.',
    escalateWhen:
      'Contact the help desk if OneDrive asks you to sign in again more than once a day. Also escalate if signing in again is refused.',
  },

  'account-locked': {
    causeId: 'account-locked',
    title: 'Your account is temporarily locked',
    explanation:
      'Too many sign-in attempts with a wrong password (or attempts from a suspicious location) made Microsoft 365 lock your account for a while to protect it. ' +
      'While it is locked every sign-in is refused, including OneDrive\'s.',
    evidenceFor: [
      'Entra refused sign-ins with code 50053 (account locked)',
      'Outlook, Teams and the browser are refused too',
      'A phone or another device may still be trying an old password',
    ],
    evidenceAgainst: [
      'Other apps sign in normally',
      'No code 50053 appears in the recent sign-ins',
    ],
    steps: [
      {
        id: 'stop-retrying',
        title: 'Stop all sign-in attempts and wait',
        instructions: [
          'Quit OneDrive: right-click the OneDrive cloud icon in the taskbar > Help & Settings (gear icon) > Quit OneDrive.',
          'Do not type your password again anywhere for at least 15 minutes.',
        ],
        audience: 'self-service',
      },
      {
        id: 'update-other-devices',
        title: 'Update the password on your other devices',
        instructions: [
          'If you changed your password recently, update it in the mail, Teams and OneDrive apps on your phone and tablet, or sign out of them.',
          'Switch off or sign out of any old PC that might still use your account.',
        ],
        audience: 'self-service',
        check: 'No device keeps trying the old password.',
      },
      {
        id: 'try-once-on-web',
        title: 'Try one careful sign-in',
        instructions: [
          `After waiting, open a private browser window and sign in once at ${ONEDRIVE_WEB}.`,
          'If you are unsure of your password, reset it at https://aka.ms/sspr instead of guessing (this can also unlock your account if your company allows it).',
          'If the web sign-in works, open OneDrive from the Start menu and sign in.',
        ],
        audience: 'self-service',
        check: 'The web sign-in works and OneDrive signs in.',
      },
      {
        id: 'unlock-account',
        title: 'IT: unlock the account and find the source',
        instructions: [
          'Check the sign-in logs (Microsoft Entra admin center > Monitoring & health > Sign-in logs) for 50053 entries, their IP addresses and client apps, to find what keeps using a wrong password.',
          'If the lockout is from a suspicious IP address, check Microsoft Entra ID Protection > Risky users before unblocking and consider a password reset.',
          'For a synchronised account locked in on-premises Active Directory: Active Directory Users and Computers > the user > Properties > Account > Unlock account.',
        ],
        audience: 'needs-admin',
      },
    ],
    warnings: [
      'Every new attempt with a wrong password makes the lock last longer: wait instead of retrying.',
      'If you did not cause the failed attempts yourself, tell IT: someone else may be trying your account.',
    ],
    verify: 'You can sign in on the web and OneDrive shows a white or blue cloud icon. After a restart of the PC OneDrive stays signed in.',
    escalateWhen:
      'Contact the help desk if you are still locked out after 30 minutes, or if the account locks again soon after. Escalate at once if you did not cause the failed attempts.',
  },

  'account-disabled': {
    causeId: 'account-disabled',
    title: 'Your account is turned off',
    explanation:
      'Your work account has been disabled in the company directory, so Microsoft 365 refuses every sign-in with it. ' +
      'This is a decision or setting on the company side, so nothing on your PC can fix it.',
    evidenceFor: [
      'Entra refused sign-ins with code 50057 (account disabled)',
      'The directory shows the account as disabled',
      'Outlook, Teams and the browser are refused too',
    ],
    evidenceAgainst: [
      'The directory shows the account as enabled',
      'Other apps sign in normally',
    ],
    steps: [
      {
        id: 'contact-it',
        title: 'Contact IT or your manager',
        instructions: [
          'Stop trying to sign in: quit OneDrive (right-click the cloud icon > Help & Settings (gear icon) > Quit OneDrive).',
          'Tell your manager or the help desk that your account is disabled, with the time you noticed it.',
          'Ask whether the change was planned (for example a role change or leave) and when it will be turned back on.',
        ],
        audience: 'self-service',
      },
      {
        id: 'enable-account',
        title: 'IT: check why and enable the account',
        instructions: [
          'Check why it was disabled first: Microsoft Entra admin center > Monitoring & health > Audit logs, filtered on the user (it may be intentional, such as a leaver or a security response).',
          'For a cloud account: Microsoft 365 admin center > Users > Active users > select the user > Unblock sign-in (or Microsoft Entra admin center > Users > the user > Edit properties > Settings > Account enabled).',
          'For a synchronised account: enable it in on-premises Active Directory (Active Directory Users and Computers > right-click the user > Enable Account) and wait for the next sync.',
        ],
        audience: 'needs-admin',
        check: 'The user shows as enabled and can sign in on the web.',
      },
      {
        id: 'sign-in-after-enable',
        title: 'Sign in again once IT confirms',
        instructions: [
          'Restart the PC and sign in to Windows.',
          'Open OneDrive from the Start menu and sign in with your work account.',
        ],
        audience: 'self-service',
        check: 'OneDrive signs in and the cloud icon is white or blue.',
      },
    ],
    warnings: ['Do not reset OneDrive or remove saved passwords: the account has to be enabled first.'],
    verify: 'OneDrive signs in and files sync with a white or blue cloud icon. Outlook and Teams work again too.',
    escalateWhen:
      'This always needs IT: escalate straight away. Escalate again if OneDrive is still refused an hour after IT enabled the account.',
  },

  'password-expired': {
    causeId: 'password-expired',
    title: 'Your password has expired',
    explanation:
      'Your company makes passwords expire after a set time, and yours has reached that date. ' +
      'Microsoft 365 will not accept an expired password, so OneDrive cannot sign in until you choose a new one.',
    evidenceFor: [
      'Entra refused sign-ins with code 50055 (password expired)',
      'Code 50144 shows the on-premises password expired',
      'Windows or the browser asks you to change your password',
    ],
    evidenceAgainst: [
      'You changed your password in the last few days',
      'Other apps sign in normally',
    ],
    steps: [
      {
        id: 'change-password',
        title: 'Choose a new password',
        instructions: [
          'On a company PC joined to the domain: connect to the company network or VPN, press Ctrl+Alt+Del > Change a password, and follow the steps.',
          'Otherwise, go to https://aka.ms/sspr in a browser and follow the steps to set a new password (your company must have self-service password reset turned on).',
          'Follow the password rules shown; you cannot reuse a recent password.',
        ],
        audience: 'self-service',
        check: 'You can sign in at https://www.office.com with the new password.',
      },
      {
        id: 'lock-and-unlock-windows',
        title: 'Unlock Windows with the new password',
        instructions: [
          'Press Windows+L to lock the PC, then unlock it with your new password (not your PIN).',
          'If your account is synchronised from the company directory, allow up to 30 minutes for the new password to reach Microsoft 365.',
        ],
        audience: 'self-service',
      },
      restartOneDrive,
      {
        id: 'reset-password-for-user',
        title: 'IT: reset the password if the user cannot',
        instructions: [
          'If self-service password reset is not available to the user, verify their identity and reset the password: Microsoft 365 admin center > Users > Active users > select the user > Reset password (or in on-premises Active Directory for a synchronised account).',
          'Require the user to change it at next sign-in, and tell them through a verified channel.',
        ],
        audience: 'needs-admin',
      },
    ],
    warnings: ['Update the new password on your phone and other devices as well, or their retries with the old one can lock your account.'],
    verify: 'OneDrive signs in with the new password and the cloud icon is white or blue. After a restart of the PC it stays signed in.',
    escalateWhen:
      'Contact the help desk if you cannot change the password yourself. Also escalate if the new password works on the web but OneDrive still refuses it after 30 minutes.',
  },

  'network-blocked': {
    causeId: 'network-blocked',
    title: 'A VPN, proxy or firewall is blocking OneDrive',
    explanation:
      'Something on the network between your PC and Microsoft (a VPN, a proxy server, a firewall or a security scanner that opens encrypted traffic) stops OneDrive before it reaches the Microsoft sign-in service. ' +
      'Your account is fine, but OneDrive cannot complete its sign-in through that network path.',
    evidenceFor: [
      'No OneDrive sign-in attempts reach Entra while the error shows',
      'You are on a VPN or behind a proxy',
      'OneDrive on the web works in your browser',
    ],
    evidenceAgainst: [
      'Entra logged OneDrive sign-ins and refused them (points to an account or policy cause)',
      'The web version fails too (points to no internet at all)',
      'OneDrive fails the same way off the VPN and without a proxy',
    ],
    steps: [
      {
        id: 'compare-with-web',
        title: 'Check that OneDrive works on the web',
        skipWhenAnswered: 'web-works',
        instructions: [
          `Open a browser and go to ${ONEDRIVE_WEB}, then open OneDrive.`,
          'If it works there, your account is fine and the problem is the network path of the OneDrive app.',
        ],
        audience: 'self-service',
      },
      {
        id: 'reconnect-without-vpn',
        title: 'Sign in with the VPN disconnected',
        instructions: [
          'Disconnect the VPN in your VPN app (for the Windows VPN: Settings > Network & internet > VPN > Disconnect), if your company allows working without it.',
          'Quit OneDrive (right-click the cloud icon > Help & Settings (gear icon) > Quit OneDrive) and open it again from the Start menu.',
          'Sign in, wait until the cloud icon turns white or blue, then reconnect the VPN.',
        ],
        audience: 'self-service',
        check: 'OneDrive signs in without the VPN (this tells IT the VPN is the cause).',
      },
      {
        id: 'check-proxy-settings',
        title: 'Check the proxy settings',
        instructions: [
          'Settings > Network & internet > Proxy, and note what is set under Automatic proxy setup and Manual proxy setup.',
          'Open Command Prompt, type netsh winhttp show proxy and press Enter, and note the result.',
          'On a home PC, if a manual proxy is turned on that you do not recognise, turn it off and try OneDrive again.',
          'On a company PC, do not change the proxy: send what you noted to the help desk.',
        ],
        audience: 'self-service',
      },
      {
        id: 'test-sign-in-endpoint',
        title: 'Test the connection to the Microsoft sign-in service',
        instructions: [
          'Open the Start menu, type PowerShell and open Windows PowerShell.',
          'Type Test-NetConnection login.microsoftonline.com -Port 443 and press Enter.',
          'TcpTestSucceeded : True means the PC can reach the sign-in service; False means something on the network blocks it. Send the result to the help desk.',
        ],
        audience: 'self-service',
        check: 'TcpTestSucceeded shows True.',
      },
      {
        id: 'refresh-network-connection',
        title: 'Refresh the PC\'s network connection',
        instructions: [
          'Disconnect the VPN first.',
          'Open the Start menu, type cmd, right-click Command Prompt > Run as administrator.',
          'Type ipconfig /flushdns and press Enter.',
          'Type ipconfig /release and press Enter, then ipconfig /renew and press Enter.',
          'Reconnect the VPN if you need it, then quit and restart OneDrive.',
        ],
        audience: 'self-service',
        needsLocalAdmin: true,
        warning: 'ipconfig /release drops your network connection for a moment: do not run it while someone is helping you through a remote session.',
      },
      {
        id: 'allow-microsoft-365-endpoints',
        title: 'IT: let Microsoft 365 sign-in traffic through',
        instructions: [
          'Allow the Microsoft 365 sign-in and OneDrive endpoints on the proxy and firewall: login.microsoftonline.com, login.windows.net, msftauth.net, msauth.net, graph.microsoft.com, the tenant\'s sharepoint.com addresses and onedrive.com, with their subdomains, on TCP 443 (and 80).',
          'Exempt those endpoints from proxy authentication: the OneDrive sync app often cannot answer a proxy that asks for a user name and password.',
          'Exempt them from SSL/TLS inspection, which breaks the certificate chain the sign-in service needs.',
          'On the VPN, use split tunnelling so Microsoft 365 traffic goes straight to the internet instead of through the tunnel.',
          'Ask the user to quit and restart OneDrive, then check that OneDrive SyncEngine sign-ins appear in the Entra sign-in logs.',
        ],
        audience: 'needs-admin',
        check: 'OneDrive sign-ins from the user appear in the Entra sign-in logs and succeed.',
      },
    ],
    warnings: [
      NO_THIRD_PARTY_TOOLS_WARNING,
      'Do not turn off company security software or a required VPN on a company PC to test this; ask IT instead.',
    ],
    verify:
      'OneDrive signs in on your usual network (with the VPN on if you need it) and the cloud icon is white or blue. After a restart of the PC it connects again without the error.',
    escalateWhen:
      'Contact the help desk if OneDrive only works without the VPN or proxy, or if Test-NetConnection shows False. Escalate at once if colleagues on the same network have the same error.',
  },

  'tls-or-network-stack': {
    causeId: 'tls-or-network-stack',
    title: 'Your PC cannot open a secure connection for OneDrive',
    explanation:
      'A setting or component on your own PC (the secure connection protocol TLS 1.2, Windows\' network layer, security software that scans encrypted traffic, or an old OneDrive version) stops OneDrive from opening a secure connection to Microsoft. ' +
      'Your account is fine, but OneDrive never reaches the sign-in service, so it reports a connection problem.',
    evidenceFor: [
      'No OneDrive sign-in attempts reach Entra while the error shows',
      'You are not on a VPN or behind a proxy',
      'OneDrive on the web works in your browser',
    ],
    evidenceAgainst: [
      'Entra logged OneDrive sign-ins and refused them',
      'The web version fails too (points to no internet at all)',
      'OneDrive fails only while a VPN or proxy is in use (points to the network path instead)',
    ],
    steps: [
      updateOneDrive,
      {
        id: 'enable-tls-1-2',
        title: 'Turn on TLS 1.2 in Internet Options',
        instructions: [
          'Press Windows+R, type inetcpl.cpl and press Enter.',
          'Select the Advanced tab and scroll down to the Security section.',
          'Make sure Use TLS 1.2 is ticked (leave Use TLS 1.3 ticked if it is there).',
          'Select Apply > OK, restart the PC and try OneDrive again.',
        ],
        audience: 'self-service',
        check: 'Use TLS 1.2 stays ticked after the restart and OneDrive signs in.',
      },
      {
        id: 'check-security-software',
        title: 'Check security software that scans encrypted traffic',
        instructions: [
          'On a personal PC: open your antivirus or internet security app and find the setting for HTTPS, SSL or encrypted connection scanning.',
          'Turn it off briefly, quit and restart OneDrive, and see whether it signs in.',
          'Turn the scanning back on straight away; if OneDrive worked without it, add OneDrive or Microsoft 365 as an exception in that app.',
          'On a company PC: do not change security software; tell the help desk which product is installed.',
        ],
        audience: 'self-service',
        check: 'OneDrive signs in with scanning back on and the exception in place.',
      },
      {
        id: 'reset-winsock',
        title: 'Reset Windows\' network components',
        instructions: [
          'Open the Start menu, type cmd, right-click Command Prompt > Run as administrator.',
          'Type netsh winsock reset and press Enter.',
          'Type netsh int ip reset and press Enter.',
          'Type ipconfig /flushdns and press Enter.',
          'Restart the PC and try OneDrive again.',
        ],
        audience: 'self-service',
        needsLocalAdmin: true,
        warning: WINSOCK_WARNING,
        check: 'After the restart the internet works and OneDrive signs in.',
      },
      resetOneDrive,
      {
        id: 'check-cipher-suites',
        title: 'IT: check TLS policy and cipher suites',
        instructions: [
          'On the PC, in Command Prompt as administrator, run gpresult /h %temp%\\gpresult.html, then start %temp%\\gpresult.html to open the report.',
          'Look under Computer Configuration > Policies > Administrative Templates > Network > SSL Configuration Settings > SSL Cipher Suite Order, and at any policy that turns TLS 1.2 off.',
          'Make sure the TLS 1.2 cipher suites Azure Front Door supports are allowed and near the top: TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_DHE_RSA_WITH_AES_256_GCM_SHA384 and TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 (Get-TlsCipherSuite in PowerShell lists what is enabled).',
          'Fix the Group Policy rather than the single PC, so the setting does not come back.',
        ],
        audience: 'needs-admin',
        needsLocalAdmin: true,
        check: 'The PC offers the supported cipher suites with TLS 1.2 and OneDrive signs in.',
      },
    ],
    warnings: [
      NO_THIRD_PARTY_TOOLS_WARNING,
      'Only download OneDrive from Microsoft\'s own website.',
    ],
    verify:
      'OneDrive signs in and the cloud icon is white or blue. After a restart of the PC it connects again and files sync.',
    escalateWhen:
      'Contact the help desk if the error is still there after the Winsock reset and the OneDrive reset, or if you do not have administrator rights for those steps. Stop and ask for help at once if other apps lose their internet connection after a reset.',
  },

  'no-internet': {
    causeId: 'no-internet',
    title: 'Your PC is not connected to the internet',
    explanation:
      'Your PC has no working internet connection at the moment, so OneDrive cannot reach Microsoft at all. ' +
      'This is not a problem with your account or with OneDrive, and OneDrive reconnects by itself once the connection is back.',
    evidenceFor: [
      'OneDrive on the web does not open either',
      'Other apps such as Outlook and Teams cannot connect',
      'The network icon in the taskbar shows no connection',
    ],
    evidenceAgainst: [
      'OneDrive on the web opens in your browser',
      'Outlook and Teams work normally',
    ],
    steps: [
      {
        id: 'check-connection',
        title: 'Check the connection',
        instructions: [
          'Look at the network icon in the taskbar: make sure Wi-Fi is on and connected, or the network cable is plugged in, and that airplane mode is off.',
          'Open a browser and try two or three different websites, for example https://www.bing.com and https://www.office.com.',
          'If you are on hotel or guest Wi-Fi, look for a sign-in page in the browser and accept it.',
        ],
        audience: 'self-service',
        check: 'Websites open normally.',
      },
      {
        id: 'restart-router',
        title: 'Restart your router at home',
        instructions: [
          'Unplug the power of your router (and modem, if separate) for 30 seconds.',
          'Plug it back in and wait two to three minutes until its lights are steady.',
          'Reconnect your PC and try the websites again.',
        ],
        audience: 'self-service',
        check: 'Websites open normally.',
      },
      {
        id: 'run-network-troubleshooter',
        title: 'Let Windows check the network',
        instructions: [
          'Restart the PC: Start > Power > Restart.',
          'If there is still no internet, run the Windows network troubleshooter: Settings > System > Troubleshoot > Other troubleshooters > Network and Internet (on Windows 10: Settings > Update & Security > Troubleshoot).',
          'If you can, try another network, such as your phone\'s hotspot, to see whether the problem is the network or the PC.',
        ],
        audience: 'self-service',
      },
      restartOneDrive,
    ],
    warnings: ['Do not reset or unlink OneDrive while you are offline: it cannot download your files again until the connection works.'],
    verify: 'Websites open and OneDrive shows a white or blue cloud icon. New files sync without the connection error.',
    escalateWhen:
      'Contact your internet provider if the connection does not come back at home after restarting the router. In the office, or if the PC has no internet on any network, contact the help desk.',
  },

  'license-missing': {
    causeId: 'license-missing',
    title: 'Your account has no OneDrive licence',
    explanation:
      'To use OneDrive for work, your account needs a Microsoft 365 licence that includes OneDrive and SharePoint, and yours does not have one turned on. ' +
      'Without it Microsoft 365 will not let OneDrive connect to your account, and only IT can assign the licence.',
    evidenceFor: [
      'OneDrive showed error 0x8004de4a or 0x8004deef',
      'The directory shows no enabled SharePoint or OneDrive plan for your account',
      'Your account is new, or your role or licence changed recently',
    ],
    evidenceAgainst: [
      'The directory shows an enabled SharePoint or OneDrive plan',
      'OneDrive on the web opens your files normally',
    ],
    steps: [
      {
        id: 'check-onedrive-on-web',
        title: 'Check whether OneDrive appears on the web',
        instructions: [
          `Go to ${ONEDRIVE_WEB} and sign in with your work account.`,
          'Open the app launcher (the grid of dots at the top left) and look for OneDrive.',
          'Note whether OneDrive is missing or shows a message that you do not have a licence, and tell the help desk.',
        ],
        audience: 'self-service',
      },
      {
        id: 'assign-license',
        title: 'IT: assign a licence with OneDrive',
        instructions: [
          'Microsoft 365 admin center > Users > Active users > select the user > Licenses and apps.',
          'Under Licenses, tick a licence that includes SharePoint Online and OneDrive for business.',
          'Under Apps for that licence, make sure SharePoint (Plan 1 or Plan 2), which carries OneDrive, is ticked, and any OneDrive app listed too.',
          'Select Save changes, and check that the service plan shows as enabled on the user.',
        ],
        audience: 'needs-admin',
        check: 'The user\'s licence details show an enabled SharePoint or OneDrive service plan.',
      },
      {
        id: 'sign-in-after-license',
        title: 'Wait, then sign in again',
        instructions: [
          'After IT confirms the licence, wait: it can take from a few minutes to a few hours to take effect.',
          'Quit OneDrive (right-click the cloud icon > Help & Settings (gear icon) > Quit OneDrive) and open it again from the Start menu.',
          'Sign in with your work account.',
        ],
        audience: 'self-service',
        check: 'OneDrive signs in and the cloud icon turns white or blue.',
      },
    ],
    warnings: ['Resetting or reinstalling OneDrive does not help: the licence has to be assigned first.'],
    verify: 'OneDrive signs in and shows your files with a white or blue cloud icon. After a restart of the PC it stays signed in.',
    escalateWhen:
      'This always needs IT: ask the help desk to assign the licence. Escalate again if OneDrive still shows the error 24 hours after the licence was assigned.',
  },

  'onedrive-not-provisioned': {
    causeId: 'onedrive-not-provisioned',
    title: 'Your OneDrive has not been created yet',
    explanation:
      'Microsoft 365 creates each person\'s OneDrive the first time it is needed, and yours does not exist yet (this is common for new accounts). ' +
      'The OneDrive app has nothing to connect to until it has been created.',
    evidenceFor: [
      'OneDrive showed error 0x8004de90',
      'Your account is new',
      'Your account has a licence that includes OneDrive',
    ],
    evidenceAgainst: [
      'You have used OneDrive before with this account',
      'No licence with OneDrive is assigned (points to a missing licence instead)',
    ],
    steps: [
      {
        id: 'open-onedrive-on-web',
        title: 'Open OneDrive on the web once',
        instructions: [
          `Go to ${ONEDRIVE_WEB} and sign in with your work account.`,
          'Open OneDrive from the app launcher (the grid of dots at the top left).',
          'If you see a message that OneDrive is being set up, leave it: this starts the creation.',
        ],
        audience: 'self-service',
        check: 'OneDrive on the web opens and shows "My files".',
      },
      {
        id: 'wait-and-sign-in',
        title: 'Wait, then sign in to the OneDrive app',
        instructions: [
          'Wait until OneDrive on the web shows your files; this usually takes minutes but can take longer for a new account.',
          'Quit OneDrive (right-click the cloud icon > Help & Settings (gear icon) > Quit OneDrive) and open it again from the Start menu.',
          'Sign in with your work account and finish setup.',
        ],
        audience: 'self-service',
        check: 'OneDrive signs in and the cloud icon turns white or blue.',
      },
      {
        id: 'pre-provision-onedrive',
        title: 'IT: create the OneDrive for the user',
        instructions: [
          'Confirm the user has an enabled SharePoint or OneDrive service plan.',
          'Check that users may create their OneDrive: SharePoint admin center > More features > User profiles > Open > People > Manage User Permissions, where Create Personal Site must be allowed for the user.',
          'In the SharePoint Online Management Shell, run Connect-SPOService -Url https://contoso-admin.sharepoint.com (your tenant name instead of contoso), then Request-SPOPersonalSite -UserEmails user@company.com.',
          'The OneDrive is created later by a background job: allow some time, then ask the user to sign in again.',
        ],
        audience: 'needs-admin',
        check: 'The user\'s OneDrive address opens on the web.',
      },
    ],
    warnings: ['Resetting or reinstalling OneDrive does not help until your OneDrive exists.'],
    verify: 'OneDrive on the web shows your files and the OneDrive app signs in with a white or blue cloud icon. After a restart of the PC it stays signed in.',
    escalateWhen:
      'Contact the help desk if OneDrive on the web still does not open a day after your first visit. Escalate straight away if the web shows an error about your licence or permissions.',
  },

  'account-mismatch': {
    causeId: 'account-mismatch',
    title: 'OneDrive is signed in with a different account',
    explanation:
      'The OneDrive folder on this PC belongs to one account, but OneDrive is being signed in with another one (for example a personal Microsoft account instead of your work account, or a second work account). ' +
      'OneDrive refuses to mix the two, so it stops until the right account is used.',
    evidenceFor: [
      'OneDrive showed error 0x8004de85 or 0x8004de8a',
      'You have more than one Microsoft account (personal and work, or two work accounts)',
      'OneDrive settings show an email address you did not expect',
    ],
    evidenceAgainst: [
      'OneDrive settings show the same work account that owns the synced folder',
      'Only one account has ever been used on this PC',
    ],
    steps: [
      {
        id: 'check-signed-in-account',
        title: 'Check which account OneDrive and Windows use',
        instructions: [
          `${OPEN_ONEDRIVE_SETTINGS} > Account, and note the email address shown.`,
          'Compare it with the work email address your company gave you.',
          'Settings > Accounts > Access work or school, and note which work or school accounts are connected.',
        ],
        audience: 'self-service',
      },
      {
        id: 'remove-old-account',
        title: 'Remove an old account you no longer use',
        instructions: [
          'Settings > Accounts > Access work or school: if an account is listed that you no longer use (for example from a former employer or a test), select it > Disconnect.',
          'Settings > Accounts > Email & accounts: remove old accounts there in the same way.',
          'Restart the PC.',
        ],
        audience: 'self-service',
        warning:
          'Do not disconnect the account your company PC is joined with (it is marked "Connected to (your company) Azure AD" or "Microsoft Entra ID"); if you are unsure, skip this step and ask the help desk.',
      },
      {
        id: 'unlink-and-sign-in-right-account',
        title: 'Unlink and sign in with the right account',
        instructions: [
          `${OPEN_ONEDRIVE_SETTINGS} > Account > Unlink this PC, then confirm with Unlink account.`,
          'In the Set up OneDrive window, type the work email address that owns your files and select Sign in.',
          'If Windows offers a different account automatically, choose Use another account instead.',
          'When OneDrive asks about the existing folder, select Use this folder only if it belongs to this same account; otherwise choose a new location.',
        ],
        audience: 'self-service',
        warning: ONLINE_ONLY_WARNING,
        check: 'OneDrive settings show the right account and files sync.',
      },
      {
        id: 'add-second-account',
        title: 'If you need both accounts, add the second one',
        instructions: [
          `${OPEN_ONEDRIVE_SETTINGS} > Account > Add an account.`,
          'Sign in with the other account; OneDrive keeps each account in its own folder.',
        ],
        audience: 'self-service',
        check: 'Two OneDrive cloud icons appear in the taskbar, one per account, both without errors.',
      },
    ],
    warnings: ['Do not copy files between a personal and a work OneDrive unless your company allows it.'],
    verify: 'OneDrive settings show the right account, the cloud icon is white or blue and files sync. After a restart of the PC the same account is still signed in.',
    escalateWhen:
      'Contact the help desk if you are not sure which account owns your files, or if Windows keeps signing OneDrive in with the wrong account. Also escalate if the error stays after signing in with the right account.',
  },

  unknown: {
    causeId: 'unknown',
    title: 'The cause is not clear yet',
    explanation:
      'The details so far do not point clearly to one cause, so guessing at a fix could make things worse. ' +
      'Collecting a few facts and one restart is the safest next step before the help desk takes over.',
    evidenceFor: [
      'No sign-in attempt or code points to a single cause',
      'Your answers point in different directions',
    ],
    evidenceAgainst: [
      'A specific error code or refusal reason is known',
      'The logs show a clear, repeated refusal',
    ],
    steps: [
      {
        id: 'restart-pc',
        title: 'Restart the PC',
        instructions: [
          'Save your work and close your apps.',
          'Start > Power > Restart (not Shut down).',
          'Sign in to Windows, wait a minute and check whether OneDrive signs in.',
        ],
        audience: 'self-service',
        check: 'The cloud icon is white or blue without a red cross.',
      },
      {
        id: 'collect-details',
        title: 'Collect details for the help desk',
        instructions: [
          'Take a screenshot of the OneDrive error: press Windows+Shift+S and select the window.',
          'Note the error code, the exact message, the time, and whether you are in the office, at home or on the VPN.',
          `Note the OneDrive version: ${OPEN_ONEDRIVE_SETTINGS} > About.`,
          'Open Command Prompt, type dsregcmd /status | clip and press Enter, then paste the result (Ctrl+V) into your message to the help desk.',
          `Note whether OneDrive opens on the web (${ONEDRIVE_WEB}) and whether Outlook and Teams work.`,
        ],
        audience: 'self-service',
      },
      {
        id: 'check-service-health',
        title: 'IT: check service health and the logs',
        instructions: [
          'Microsoft 365 admin center > Health > Service health: look for OneDrive, SharePoint or sign-in incidents.',
          'Microsoft Entra admin center > Monitoring & health > Sign-in logs, both User sign-ins (interactive) and User sign-ins (non-interactive), filtered on the user and the time of the error.',
        ],
        audience: 'needs-admin',
      },
    ],
    warnings: [
      NO_THIRD_PARTY_TOOLS_WARNING,
      'Do not reset or unlink OneDrive before the help desk has looked: if some files are online-only, you could lose access to them.',
    ],
    verify: 'OneDrive signs in and the cloud icon is white or blue. It still works after another restart of the PC.',
    escalateWhen:
      'If the restart did not help, send the collected details to the help desk now. Escalate straight away if colleagues see the same error.',
  },
};

/** The playbook for a cause; falls back to `unknown` for ids that slipped past validation. */
export function getPlaybook(causeId: CauseId): Playbook {
  return PLAYBOOKS[causeId] ?? PLAYBOOKS.unknown;
}

/** Finds one step of a cause's playbook by its id, with its position (0-based). */
export function findStep(causeId: CauseId, stepId: string): { step: FixStep; index: number } | undefined {
  const playbook = PLAYBOOKS[causeId];
  if (!playbook) return undefined;
  const index = playbook.steps.findIndex((step) => step.id === stepId);
  if (index < 0) return undefined;
  const step = playbook.steps[index];
  return step ? { step, index } : undefined;
}
