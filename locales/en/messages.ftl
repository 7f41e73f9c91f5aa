# Email, SMS and push messages. { $app } is the application's name, { $code } the code,
# { $minutes } how long it is valid. SMS should stay short (160 characters with the code).

msg-hello = Hello,
msg-subject-login = Your sign-in code for { $app }
msg-subject-register = Confirm your email for { $app }
msg-subject-reset = Reset your { $app } password
msg-subject-email-change = Confirm your new email address for { $app }
msg-subject-phone-confirm = Confirm your phone number for { $app }
msg-lead-login = Use this code to sign in to { $app }:
msg-lead-register = Use this code to confirm your email address and finish creating your { $app } account:
msg-lead-reset = Someone asked to reset the password of your { $app } account. Use this code to choose a new one:
msg-lead-email-change = Someone asked to use this address for their { $app } account. If it was you, enter this code on your account page to confirm the change:
msg-lead-phone-confirm = Enter this code on your { $app } account page to confirm this phone number for sign-in codes:
msg-noun-login = sign-in code
msg-noun-register = confirmation code
msg-noun-reset = password reset code
msg-noun-confirm = confirmation code
msg-link-before = Enter it on the page where you asked for it, or
msg-link = open this page
msg-valid = The code is valid for { $minutes } minutes and works once.
msg-ignore = If you did not ask for it, you can ignore this message.
msg-ignore-reset = If you did not ask for it, you can ignore this message: your password stays as it is.
msg-never-tell = Never tell this code to anyone, including people who say they work for { $app }.
msg-sms = { $code } is your { $app } { $noun }. Valid for { $minutes } min. Never share it.
msg-push = { $code } is your { $app } { $noun }. It is valid for { $minutes } minutes.
msg-push-title = Your { $noun }

## Notices without a code (the account's owner is told about a change)
notice-link-reset = Choose a new password:
notice-link-account = Your account:
notice-already-registered-subject = Your { $app } account
notice-already-registered-1 = Someone, maybe you, tried to create a new { $app } account with this email address. You already have an account, so nothing was created and nothing was changed.
notice-already-registered-2 = If it was you and you do not remember your password, you can choose a new one. If it was not you, you can ignore this message.
notice-password-changed-subject = Your { $app } password was changed
notice-password-changed-1 = The password of your { $app } account was just changed, and every browser that was signed in to it was signed out.
notice-password-changed-2 = If you did this, there is nothing else to do. If you did not, choose a new password right away: someone else may know your old one.
notice-password-changed-account-subject = Your { $app } password was changed
notice-password-changed-account-1 = The password of your { $app } account was just changed on its account page, and every other browser that was signed in to it was signed out.
notice-password-changed-account-2 = If you did this, there is nothing else to do. If you did not, choose a new password right away: someone else may be signed in to your account.
notice-email-changed-subject = The email address of your { $app } account was changed
notice-email-changed-1 = The email address of your { $app } account was just changed. From now on you sign in with the new address, and messages about the account go there instead of to this one.
notice-email-changed-2 = If you did this, there is nothing else to do. If you did not, contact your administrator right away: someone else may be signed in to your account.
notice-email-in-use-subject = Your { $app } account
notice-email-in-use-1 = Someone, maybe you, asked to use this email address for another { $app } account. It already belongs to your account, so nothing was changed.
notice-email-in-use-2 = If it was not you, you can ignore this message.
