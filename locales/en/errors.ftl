# What the pages say when something went wrong or is locked. Never tell whether a code or a
# password was right, or whether an account exists: keep each sentence as vague as the English.

## Sign in
err-invalid-credentials = The email or password is not correct.
err-password-required = This application asks for your password, then a code from your authenticator app.
err-password-not-allowed = This application does not allow signing in with a password. Choose another way.
err-sign-in-failed = Sign-in did not succeed. Please try again.
err-password-locked = Too many wrong passwords. Try again in { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    }, or
err-totp-wrong = The code is not correct. Enter the current code from your authenticator app.
err-method-not-allowed = This application does not allow that way of signing in. Go back and choose another.

## Codes by email, SMS and push
err-code-locked = Too many wrong codes were entered. Codes are blocked for a while: choose another way to sign in, or try again later.
err-code-too-soon = A code was sent moments ago and is still valid: check your messages, or ask again in half a minute.
err-code-unavailable = That way of signing in is not available for this account. Choose another.
err-code-method-not-allowed = This application does not allow that way of signing in. Choose another.
err-delivery-failed = We could not send the code just now. Choose another way to sign in, or try again in a few minutes.
err-code-wrong = The code is not correct. Check the message and try again.
err-code-gone = This code has expired or was already used. Go back and ask for a new one.
err-code-expired = This code has expired. Go back and ask for a new one.
code-sent-again = We sent the same code again.
code-wait = The code was sent moments ago. You can ask for it again in { $seconds } seconds.
code-resend-failed = We could not send it again just now. The code sent before still works.
err-mail-not-sent = We could not send the email just now. Please try again in a few minutes.

## Second step
err-backup-wrong = That backup code is not valid or was already used.
err-app-code-wrong = The code is not correct. Check the app and try again.
err-setup-expired = That setup expired. Scan this new code and try again.

## Sign up and password reset
err-enter-name = Enter your name.
err-name-too-long = Use at most { $max } characters.
err-name-characters = Use letters, spaces and punctuation only.
err-enter-email = Enter your email address.
err-email-format = Enter an email address like name@example.com.
err-choose-password = Choose a password.
err-pw-too-short = Use at least { $min } characters. A few unrelated words make a password that is long and easy to remember.
err-pw-too-long = Use at most { $max } characters.
err-pw-common = This password is too common: it appears in lists of leaked passwords. Choose a longer phrase.
err-pw-email = Don't build your password from your email address: it is the first thing an attacker tries.
err-pw-service = Don't use the name of this service in your password: it is easy to guess.
err-choose-new-password = Choose a new password.
err-enter-email-code = Enter the code from the email.
err-email-code-wrong = That code is not correct. Check the email we sent and try again.
err-register-code-gone = This code has expired or was already used. Start again to get a new one.
err-reset-code-gone = This code has expired or was already used. Ask for a new one.
email-sent-again = We sent the code again. It can take a minute to arrive; look in your spam folder too.
email-wait = We sent the code a moment ago. You can ask for it again in { $seconds } seconds.

## Passkeys
err-passkey-cloned = This passkey was refused: its signature counter went back, so it may have been copied. Use another way to sign in and tell your administrator.
err-passkey-too-slow = That took too long. Try again.
err-passkey-refused = That passkey was not accepted. Try again, or choose another way to sign in.

## Locks (an administrator may have to lift them; { $at } is a time in UTC)
lock-totp = This authenticator is locked after too many wrong codes. Ask an administrator to unlock it, or choose another way to sign in.
lock-totp-until = This authenticator is locked after too many wrong codes until { $at } UTC. Choose another way to sign in, or try again then.
lock-channel = Too many wrong codes. Codes by this channel stay blocked until an administrator unlocks them: choose another way to sign in.
lock-channel-until = Too many wrong codes. Codes by this channel are blocked until { $at } UTC: choose another way to sign in, or try again then.
lock-address = Too many wrong codes were entered for this email address. Ask an administrator to unlock it.
lock-address-until = Too many wrong codes were entered for this email address. Try again after { $at } UTC.
lock-account-code = Too many wrong codes were entered. Ask an administrator to unlock your account.
lock-account-code-until = Too many wrong codes were entered. Try again after { $at } UTC.

## Error pages
err-page-not-found = Page not found
err-page-not-found-text = There is nothing at this address.
err-page-generic = This request cannot be completed
err-page-generic-text = The request was not understood.
err-page-server = Something went wrong
err-page-server-text = An unexpected error occurred on our side. Please try again.

## Account page
err-acct-code-too-soon = We sent a code to { $destination } moments ago: enter that one. You can ask for it again in { $seconds } seconds.
err-acct-unavailable = Codes by { $medium } are not available on this server.
err-acct-not-sent = We could not send the { $medium } just now. Check what you entered and try again in a few minutes.
err-acct-code-expired = That code has expired. Start again.
err-acct-setup-expired = That setup expired. Start again.
err-acct-enter-code = Enter the code from the { $medium }.
err-acct-code-wrong = That code is not correct. Check the { $medium } we sent and try again.
err-acct-resend-failed = We could not send the { $medium } just now. Please try again in a few minutes.
err-passkey-unchecked = The passkey could not be checked. Try again.
err-passkey-duplicate = That passkey is registered already.
err-passkey-too-many = You have the most passkeys an account may have.
err-already-your-email = This is already your email address.
err-address-unusable = This address cannot be used for your account. Choose another one.
err-phone-format = Enter the number in international form, starting with + and the country code, like +49 151 12345678.
err-phone-already = This number is already confirmed for your account.
err-enter-current-password = Enter your current password.
err-not-current-password = This is not your current password.
err-acct-password-locked = Too many wrong passwords. Try again in { $minutes ->
        [one] { $minutes } minute
       *[other] { $minutes } minutes
    }, or reset your password.
err-approval-enter-code = Enter the code your authenticator app shows.
err-approval-replayed = This code was already used. Wait for the next code in your app.
err-approval-no-authenticator = Your account has no authenticator app. Add one on your account page, then open this link again.
err-approval-wrong = That code is not right. Check your authenticator app and try again.

## Error pages of the sign-in: the English text is the one the code makes, so a page in
## another language finds its words by it (see `Tr::from_english`)
err-title-not-completed = This request cannot be completed
err-title-not-allowed = Not allowed
err-title-not-found = Not found
err-title-try-again = Please try again
err-title-slow-down = Please slow down
err-busy = We are handling many sign-ins right now. Wait a moment and try again.
err-other-browser = This sign-in was started in another browser. Go back to the application and sign in again here.
err-other-browser-short = This sign-in was started in another browser.
err-link-expired = This sign-in link has expired or was already used. Go back to the application and sign in again.
err-no-cookie = Your browser did not send our cookie. Allow cookies for this site and try again.
err-form-expired = The form has expired. Go back, reload the page and try again.
err-already-completed = This sign-in was already completed. Go back to the application.
err-sign-in-expired = This sign-in has expired. Go back to the application and sign in again.
err-code-no-longer-valid = This code is no longer valid. Go back and ask for a new one.
err-code-already-used = This code was already used. Go back to the application.
err-no-second-factor = This account has no second factor this application accepts. Go back to the application and sign in again.
err-no-passkey = This account has no passkey. Go back and use another second factor.
