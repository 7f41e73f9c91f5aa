# Hosted sign-in pages and account pages. A translator edits only the text after "=".
# { $name } is filled in by Gatehouse; keep it, move it where your language needs it.

## Every page
language-name = English
language-switch-label = Language
language-switch-button = Change language
footer = Secured by Gatehouse
brand-privacy = Privacy policy
brand-terms = Terms
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
date = { $day } { $month } { $year }
date-time = { $day } { $month } { $year }, { $time }
field-email = Email
field-password = Password
field-name = Name
field-code = Code
button-continue = Continue
button-sign-in = Sign in
button-confirm = Confirm
button-verify = Verify
resend-code = Send the code again
other-ways = Choose another way to sign in
to-continue-to = to continue to
password-hint = At least 8 characters. A few unrelated words make a strong password that is easy to remember.
code-from-email = Code from the email
code-from-app = Code from the app
authentication-code = Authentication code

## Sign in (/login)
login-title = Sign in
login-title-to = Sign in to { $app }
login-locked-reset = reset your password
login-forgot = Forgot your password?
login-other-ways = Other ways to sign in
login-passkey = Sign in with a passkey
login-new-here = New here?
login-create-account = Create an account

## Other ways to sign in (/login/methods)
methods-title = Other ways to sign in
methods-signing-in-as = Signing in as
methods-totp = Use a code from my authenticator app
methods-password = Use my password
methods-not-you = Not you? Use another email
code-choice-email = Email me a code
code-choice-sms = Text a code to { $number }
code-choice-push = Send a code to my device

## A code from the authenticator app (/login/verify)
verify-title = Enter your code
verify-lead = Open your authenticator app and enter the current code.
verify-lead-for = Open your authenticator app and enter the current code for { $user }.

## A code by email, SMS or push (/login/code)
code-title = Enter your code
code-lead = We sent a code by { $channel } to { $destination }. It is valid for a few minutes.
code-resend = Didn't get it? Send the code again
channel-email = email
channel-sms = text message
channel-push = push notification

## Passkeys (/login/passkey, /mfa/passkey)
passkey-needs-js = Passkeys need JavaScript, which is off in this browser. Turn it on, or use another way to sign in.
passkey-name = Name of the passkey
passkey-login-title = Sign in with a passkey
passkey-login-lead = Use the passkey saved on this device, your phone or a security key. No email or password needed.
passkey-button = Use a passkey
passkey-mfa-title = Confirm with a passkey
passkey-mfa-lead = Use one of your passkeys to finish signing in.
passkey-mfa-back = Use another second factor
passkey-name-example = e.g. Laptop

## Second step (/mfa)
mfa-title = Two-step verification
mfa-setup-title = Set up an authenticator app
mfa-setup-lead = This application asks for a second step when you sign in. Add an account in your authenticator app (Google Authenticator, Microsoft Authenticator, Authy…) by scanning this code.
mfa-setup-button = Confirm and continue
mfa-backup-title = Use a backup code
mfa-backup-lead = Enter one of the backup codes you saved. Each code works once.
mfa-backup-code = Backup code
mfa-choose-lead = Get a one-time code to finish signing in.
mfa-totp-lead = Enter the code from your authenticator app.
mfa-use-backup = Use a backup code instead
mfa-or-get-code = Or get a code
mfa-use-passkey = Use a passkey instead
mfa-someone-else = Sign in as someone else
totp-qr-label = QR code to add this account to an authenticator app
totp-manual = Can't scan? Enter the key by hand
totp-account = Account:
totp-kind = Time-based, 6 digits, every 30 seconds.
totp-key = Key:
totp-link = Setup link:

## Sign up (/register)
register-title = Create an account
register-title-for = Create an account for { $app }
register-button = Create account
register-have-account = Already have an account?
confirm-title = Check your email
confirm-lead = We sent a code to { $destination }. Enter it here to confirm your address and finish creating your account.
confirm-your-address = your email address
confirm-start-again = Start again
confirm-sign-in-instead = Sign in instead

## Password reset (/password/…)
forgot-title = Forgot your password?
forgot-lead = Enter the email address of your account. If it has one, we will send it a code to choose a new password.
forgot-button = Send me a code
forgot-back = Back to sign in
reset-title = Choose a new password
reset-lead = If an account exists for { $email }, we sent it a code. Enter the code and choose a new password.
reset-the-address = the address you entered
reset-ask-again = Ask for a new code
reset-new-password = New password
reset-button = Set new password
done-title = Password changed
done-lead = Your new password is set. For your safety, every browser that was signed in to your account has been signed out.

## Sign out (/session/end_session)
end-signed-out-title = Signed out
end-signed-out = You are signed out
end-close = You can close this window.
end-title = Sign out?
end-asks = { $app } asks to sign you out.
end-question = Do you want to sign out?
end-button = Sign out

## Start page (/)
start-lead = This is a sign-in service. Applications send you here to sign in, and you return to them once you have.
start-direct = If you came here directly, go back to the application you want to use and choose “Sign in” there.
start-developers = For developers
start-discovery = OpenID Connect discovery:
start-register = Register an application with { $command }; see the README.

## Returning to the application (form_post)
form-post-title = Returning to the application…

## Transaction approval (/approve/…)
approval-title = Approve a transaction
approval-question = Approve this transaction?
approval-state = Transaction { $state }
approval-lead = { $app } asks you to confirm the details below.
approval-lead-pending = { $app } asks you to confirm the details below with a code from your authenticator app. Check every field before you approve.
approval-continue = Continue to { $app }
approval-fingerprint = Fingerprint of these details:
approval-answer-by = answer by { $time } UTC
approval-code = Code from your authenticator app
approval-approve = Approve
approval-decline = Decline

## Error pages
error-status = Error { $status }
error-request-id = Request id

## Account page (/account)
time-never = never
time-unknown = unknown
acct-title = Your account
acct-signed-in-as = Signed in as
acct-on-this-page = On this page
acct-profile = Profile
acct-password = Password
acct-authenticators = Authenticator apps
acct-passkeys = Passkeys
acct-backup = Backup codes
acct-phone = Text messages
acct-push = Push devices
acct-sessions = Sessions
acct-activity = Recent sign-ins
acct-stale = You signed in more than { $minutes } minutes ago. To keep your account safe, we ask you to sign in again before you change your password, email address or sign-in methods.
acct-save-name = Save name
acct-new-email = New email address
acct-email-hint = We send a code to the new address. Your address changes once you enter the code.
acct-change-email = Change email address
acct-no-password = Your account has no password yet. Set one to sign in with it.
acct-current-password = Current password
acct-new-password-hint = At least 8 characters. A few unrelated words make a strong password that is easy to remember. Your other sessions are signed out.
acct-change-password = Change password
acct-set-password = Set password
acct-no-authenticator = No authenticator app yet. Add one to sign in with a code, or as a second step after your password.
acct-locked = Locked
acct-added-used = Added { $added } · last used { $used }
acct-rename = Rename
acct-remove = Remove { $name }
acct-remove-plain = Remove
acct-new-authenticator-name = Name for the new authenticator
acct-new-authenticator-example = e.g. My phone
acct-add-authenticator = Add authenticator app
acct-passkeys-lead = Sign in with your device's screen lock or a security key instead of a password and code.
acct-manage-passkeys = Add and manage passkeys
acct-backup-none = Backup codes let you finish signing in when your authenticator app is not at hand.
acct-backup-remaining = You have { $count ->
        [one] { $count } unused backup code
       *[other] { $count } unused backup codes
    }.
acct-backup-low = Only { $count } left: create a new set before you run out.
acct-backup-create = Create backup codes
acct-backup-new-set = Create a new set (the old codes stop working)
acct-phone-goes-to = Sign-in codes by text message go to
acct-no-phone = No phone number for sign-in codes yet.
acct-new-phone = New phone number
acct-phone-number = Phone number
acct-phone-hint = In international form, like +49 151 12345678. We send a code to confirm it.
acct-add-phone = Send a code to this number
acct-sms-unavailable = Codes by text message are not available on this server.
acct-remove-phone = Remove phone number
acct-no-devices = No device receives sign-in codes by push notification.
acct-devices-added-from-app = Devices are added from the app that receives them.
acct-device = Device
acct-added = Added
acct-last-used = Last used
acct-push-unavailable = Codes by push notification are not available on this server.
acct-sessions-lead = Browsers signed in to your account.
acct-end-others = Sign out the other sessions ({ $count })
acct-no-activity = No sign-ins yet.
acct-time = Time
acct-result = Result
acct-method = Method
acct-ip = IP address
acct-signed-in = Signed in
acct-failed = Failed
acct-unknown-sign-in = A sign-in you do not recognise? Change your password and sign out the other sessions.
acct-sign-out = Sign out
acct-drift-ahead = This authenticator's clock runs about { $seconds } s ahead. Set the phone's time to automatic.
acct-drift-behind = This authenticator's clock runs about { $seconds } s behind. Set the phone's time to automatic.
notice-added = Authenticator app added.
notice-renamed = Authenticator renamed.
notice-removed = Authenticator removed.
notice-signed-in-again = You signed in again. You can make your change now.
notice-name-changed = Your name was saved.
notice-email-changed = Your email address was changed.
notice-password-changed = Your password was changed. Your other sessions were signed out.
notice-password-set = Your password was set. Your other sessions were signed out.
notice-phone-added = Your phone number was confirmed.
notice-phone-removed = Your phone number was removed.
notice-device-removed = The device was removed.
notice-sessions-ended = Your other sessions were signed out.
notice-session-ended = The session was signed out.
method-password = password
method-otp = one-time code
method-totp = authenticator app
method-email = email code
method-sms = text message code
method-push = push notification code
method-backupcode = backup code
method-second-step = second step
method-unknown = unknown

## Sessions table (account page)
sessions-none = No browser is signed in.
sessions-browser = Browser
sessions-signed-in = Signed in
sessions-last-seen = Last seen
sessions-actions = Actions
sessions-this-browser = This browser
sessions-ip = IP address
sessions-ends = ends { $time }
sessions-sign-out = Sign out
sessions-sign-out-this = this browser
sessions-sign-out-other = { $device } signed in { $time }

## Other account pages
backup-title = Your backup codes
backup-lead = Save these now: they are shown only once. Each code works once, when your authenticator app is not at hand. Any earlier codes no longer work.
backup-download = Download as a text file
backup-done = Done
confirm-code-lead-before = We sent a code to
confirm-code-lead-after = .
confirm-code-from = Code from the { $medium }
cancel = Cancel
passkeys-title = Passkeys
passkeys-lead = A passkey signs you in with your device's screen lock or a security key: no password, and it counts as two steps.
passkeys-none = You have no passkeys yet.
passkeys-meta = { $kind } · added { $added } · last used { $used }
passkeys-add = Add a passkey
passkeys-full = You have the most passkeys an account may have. Remove one to add another.
passkeys-back = Back to your account
signed-out-title = Signed out
signed-out = You are signed out
signed-out-again = Sign in again
totp-setup-title = Add an authenticator app
totp-setup-step-1 = Open your authenticator app (Google Authenticator, Microsoft Authenticator, Authy…) and add an account.
totp-setup-step-2 = Scan this code, or enter the key by hand.
totp-setup-step-3 = Enter the 6-digit code the app shows.

## Confirming a new email address or phone number (account page)
medium-email = email
medium-sms = text message
acct-code-email-title = Confirm your new email address
acct-code-email-lead = Enter it here to confirm the new address: your email address changes once the code is right.
acct-code-phone-title = Confirm your phone number
acct-code-phone-lead = Enter it here to confirm the number: sign-in codes by text message go there once the code is right.
acct-sent-again-sms = We sent the code again. It can take a minute to arrive.
passkey-kind-synced = Synced passkey
passkey-kind-device = Device-bound (security key)
passkey-notice-added = The passkey was added.
passkey-notice-renamed = The passkey was renamed.
passkey-notice-removed = The passkey was removed.
approval-state-approved = approved
approval-state-declined = declined
approval-state-expired = expired
approval-state-pending = pending
approval-notice-approved = You approved this transaction. You can close this page.
approval-notice-declined = You declined this transaction. Nothing was approved.
approval-notice-expired = This approval expired before it was answered. Nothing was approved.
