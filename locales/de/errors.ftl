# Was die Seiten sagen, wenn etwas schiefging oder gesperrt ist. Nie verraten, ob ein Code oder
# Passwort stimmte oder ob es ein Konto gibt: jeder Satz bleibt so vage wie im Englischen.

## Anmelden
err-invalid-credentials = E-Mail-Adresse oder Passwort ist nicht korrekt.
err-password-required = Diese Anwendung verlangt Ihr Passwort und danach einen Code aus Ihrer Authentifizierungs-App.
err-password-not-allowed = Diese Anwendung erlaubt keine Anmeldung mit Passwort. Wählen Sie einen anderen Weg.
err-sign-in-failed = Die Anmeldung hat nicht geklappt. Bitte versuchen Sie es noch einmal.
err-password-locked = Zu viele falsche Passwörter. Versuchen Sie es in { $minutes ->
        [one] { $minutes } Minute
       *[other] { $minutes } Minuten
    } wieder, oder
err-totp-wrong = Der Code ist nicht korrekt. Geben Sie den aktuellen Code aus Ihrer Authentifizierungs-App ein.
err-method-not-allowed = Diese Anwendung erlaubt diese Art der Anmeldung nicht. Gehen Sie zurück und wählen Sie eine andere.

## Codes per E-Mail, SMS und Push
err-code-locked = Es wurden zu viele falsche Codes eingegeben. Codes sind eine Weile gesperrt: Melden Sie sich anders an oder versuchen Sie es später noch einmal.
err-code-too-soon = Gerade wurde ein Code gesendet, der noch gilt: Sehen Sie in Ihren Nachrichten nach oder fordern Sie in einer halben Minute einen neuen an.
err-code-unavailable = Diese Art der Anmeldung steht für dieses Konto nicht zur Verfügung. Wählen Sie eine andere.
err-code-method-not-allowed = Diese Anwendung erlaubt diese Art der Anmeldung nicht. Wählen Sie eine andere.
err-delivery-failed = Wir konnten den Code gerade nicht senden. Melden Sie sich anders an oder versuchen Sie es in einigen Minuten noch einmal.
err-code-wrong = Der Code ist nicht korrekt. Prüfen Sie die Nachricht und versuchen Sie es noch einmal.
err-code-gone = Dieser Code ist abgelaufen oder wurde schon verwendet. Gehen Sie zurück und fordern Sie einen neuen an.
err-code-expired = Dieser Code ist abgelaufen. Gehen Sie zurück und fordern Sie einen neuen an.
code-sent-again = Wir haben denselben Code noch einmal gesendet.
code-wait = Der Code wurde gerade erst gesendet. Sie können ihn in { $seconds } Sekunden erneut anfordern.
code-resend-failed = Wir konnten ihn gerade nicht erneut senden. Der zuvor gesendete Code gilt weiterhin.
err-mail-not-sent = Wir konnten die E-Mail gerade nicht senden. Bitte versuchen Sie es in einigen Minuten noch einmal.

## Zweiter Schritt
err-backup-wrong = Dieser Backup-Code ist ungültig oder wurde schon verwendet.
err-app-code-wrong = Der Code ist nicht korrekt. Prüfen Sie die App und versuchen Sie es noch einmal.
err-setup-expired = Diese Einrichtung ist abgelaufen. Scannen Sie diesen neuen Code und versuchen Sie es noch einmal.

## Registrieren und Passwort zurücksetzen
err-enter-name = Geben Sie Ihren Namen ein.
err-name-too-long = Verwenden Sie höchstens { $max } Zeichen.
err-name-characters = Verwenden Sie nur Buchstaben, Leerzeichen und Satzzeichen.
err-enter-email = Geben Sie Ihre E-Mail-Adresse ein.
err-email-format = Geben Sie eine E-Mail-Adresse wie name@example.com ein.
err-choose-password = Wählen Sie ein Passwort.
err-pw-too-short = Verwenden Sie mindestens { $min } Zeichen. Einige Wörter ohne Zusammenhang ergeben ein langes Passwort, das man sich leicht merkt.
err-pw-too-long = Verwenden Sie höchstens { $max } Zeichen.
err-pw-common = Dieses Passwort ist zu verbreitet: Es steht in Listen geleakter Passwörter. Wählen Sie eine längere Wortfolge.
err-pw-email = Bauen Sie Ihr Passwort nicht aus Ihrer E-Mail-Adresse: Das probieren Angreifer zuerst.
err-pw-service = Verwenden Sie den Namen dieses Dienstes nicht in Ihrem Passwort: Er ist leicht zu erraten.
err-choose-new-password = Wählen Sie ein neues Passwort.
err-enter-email-code = Geben Sie den Code aus der E-Mail ein.
err-email-code-wrong = Dieser Code ist nicht korrekt. Prüfen Sie die E-Mail, die wir gesendet haben, und versuchen Sie es noch einmal.
err-register-code-gone = Dieser Code ist abgelaufen oder wurde schon verwendet. Beginnen Sie neu, um einen neuen zu erhalten.
err-reset-code-gone = Dieser Code ist abgelaufen oder wurde schon verwendet. Fordern Sie einen neuen an.
email-sent-again = Wir haben den Code erneut gesendet. Es kann eine Minute dauern; sehen Sie auch im Spam-Ordner nach.
email-wait = Wir haben den Code gerade erst gesendet. Sie können ihn in { $seconds } Sekunden erneut anfordern.

## Passkeys
err-passkey-cloned = Dieser Passkey wurde abgelehnt: Sein Signaturzähler ging zurück, er wurde also vielleicht kopiert. Melden Sie sich anders an und informieren Sie Ihre Administration.
err-passkey-too-slow = Das hat zu lange gedauert. Versuchen Sie es noch einmal.
err-passkey-refused = Dieser Passkey wurde nicht angenommen. Versuchen Sie es noch einmal oder melden Sie sich anders an.

## Sperren ({ $at } ist eine Uhrzeit in UTC)
lock-totp = Diese Authentifizierungs-App ist nach zu vielen falschen Codes gesperrt. Bitten Sie die Administration, sie zu entsperren, oder melden Sie sich anders an.
lock-totp-until = Diese Authentifizierungs-App ist nach zu vielen falschen Codes bis { $at } UTC gesperrt. Melden Sie sich anders an oder versuchen Sie es dann noch einmal.
lock-channel = Zu viele falsche Codes. Codes über diesen Weg bleiben gesperrt, bis die Administration sie entsperrt: Melden Sie sich anders an.
lock-channel-until = Zu viele falsche Codes. Codes über diesen Weg sind bis { $at } UTC gesperrt: Melden Sie sich anders an oder versuchen Sie es dann noch einmal.
lock-address = Für diese E-Mail-Adresse wurden zu viele falsche Codes eingegeben. Bitten Sie die Administration, sie zu entsperren.
lock-address-until = Für diese E-Mail-Adresse wurden zu viele falsche Codes eingegeben. Versuchen Sie es nach { $at } UTC noch einmal.
lock-account-code = Es wurden zu viele falsche Codes eingegeben. Bitten Sie die Administration, Ihr Konto zu entsperren.
lock-account-code-until = Es wurden zu viele falsche Codes eingegeben. Versuchen Sie es nach { $at } UTC noch einmal.

## Fehlerseiten
err-page-not-found = Seite nicht gefunden
err-page-not-found-text = Unter dieser Adresse gibt es nichts.
err-page-generic = Diese Anfrage kann nicht ausgeführt werden
err-page-generic-text = Die Anfrage wurde nicht verstanden.
err-page-server = Etwas ist schiefgegangen
err-page-server-text = Bei uns ist ein unerwarteter Fehler aufgetreten. Bitte versuchen Sie es noch einmal.

## Kontoseite
err-acct-code-too-soon = Wir haben gerade einen Code an { $destination } gesendet: Geben Sie diesen ein. Sie können ihn in { $seconds } Sekunden erneut anfordern.
err-acct-unavailable = Codes per { $medium } gibt es auf diesem Server nicht.
err-acct-not-sent = Wir konnten die { $medium } gerade nicht senden. Prüfen Sie Ihre Eingabe und versuchen Sie es in einigen Minuten noch einmal.
err-acct-code-expired = Dieser Code ist abgelaufen. Beginnen Sie neu.
err-acct-setup-expired = Diese Einrichtung ist abgelaufen. Beginnen Sie neu.
err-acct-enter-code = Geben Sie den Code aus der { $medium } ein.
err-acct-code-wrong = Dieser Code ist nicht korrekt. Prüfen Sie die { $medium }, die wir gesendet haben, und versuchen Sie es noch einmal.
err-acct-resend-failed = Wir konnten die { $medium } gerade nicht senden. Bitte versuchen Sie es in einigen Minuten noch einmal.
err-passkey-unchecked = Der Passkey konnte nicht geprüft werden. Versuchen Sie es noch einmal.
err-passkey-duplicate = Dieser Passkey ist bereits registriert.
err-passkey-too-many = Sie haben die höchste Zahl an Passkeys, die ein Konto haben darf.
err-already-your-email = Das ist bereits Ihre E-Mail-Adresse.
err-address-unusable = Diese Adresse kann für Ihr Konto nicht verwendet werden. Wählen Sie eine andere.
err-phone-format = Geben Sie die Nummer in internationaler Form ein, mit + und Ländervorwahl, etwa +49 151 12345678.
err-phone-already = Diese Nummer ist für Ihr Konto bereits bestätigt.
err-enter-current-password = Geben Sie Ihr aktuelles Passwort ein.
err-not-current-password = Das ist nicht Ihr aktuelles Passwort.
err-acct-password-locked = Zu viele falsche Passwörter. Versuchen Sie es in { $minutes ->
        [one] { $minutes } Minute
       *[other] { $minutes } Minuten
    } wieder oder setzen Sie Ihr Passwort zurück.
err-approval-enter-code = Geben Sie den Code ein, den Ihre Authentifizierungs-App anzeigt.
err-approval-replayed = Dieser Code wurde schon verwendet. Warten Sie auf den nächsten Code in Ihrer App.
err-approval-no-authenticator = Ihr Konto hat keine Authentifizierungs-App. Fügen Sie auf Ihrer Kontoseite eine hinzu und öffnen Sie diesen Link dann erneut.
err-approval-wrong = Dieser Code stimmt nicht. Prüfen Sie Ihre Authentifizierungs-App und versuchen Sie es noch einmal.

## Fehlerseiten der Anmeldung
err-title-not-completed = Diese Anfrage kann nicht ausgeführt werden
err-title-not-allowed = Nicht erlaubt
err-title-not-found = Nicht gefunden
err-title-try-again = Bitte versuchen Sie es noch einmal
err-title-slow-down = Bitte etwas langsamer
err-busy = Gerade melden sich sehr viele an. Warten Sie einen Moment und versuchen Sie es noch einmal.
err-other-browser = Diese Anmeldung wurde in einem anderen Browser begonnen. Gehen Sie zurück zur Anwendung und melden Sie sich hier erneut an.
err-other-browser-short = Diese Anmeldung wurde in einem anderen Browser begonnen.
err-link-expired = Dieser Anmeldelink ist abgelaufen oder wurde schon verwendet. Gehen Sie zurück zur Anwendung und melden Sie sich erneut an.
err-no-cookie = Ihr Browser hat unser Cookie nicht gesendet. Erlauben Sie Cookies für diese Seite und versuchen Sie es noch einmal.
err-form-expired = Das Formular ist abgelaufen. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es noch einmal.
err-already-completed = Diese Anmeldung ist bereits abgeschlossen. Gehen Sie zurück zur Anwendung.
err-sign-in-expired = Diese Anmeldung ist abgelaufen. Gehen Sie zurück zur Anwendung und melden Sie sich erneut an.
err-code-no-longer-valid = Dieser Code gilt nicht mehr. Gehen Sie zurück und fordern Sie einen neuen an.
err-code-already-used = Dieser Code wurde schon verwendet. Gehen Sie zurück zur Anwendung.
err-no-second-factor = Dieses Konto hat keinen zweiten Faktor, den diese Anwendung akzeptiert. Gehen Sie zurück zur Anwendung und melden Sie sich erneut an.
err-no-passkey = Dieses Konto hat keinen Passkey. Gehen Sie zurück und verwenden Sie einen anderen zweiten Faktor.
