# Anmeldeseiten und Kontoseiten. Übersetzt wird nur der Text nach "=".
# { $name } setzt Gatehouse ein; es bleibt stehen, darf aber an die passende Stelle rücken.

## Jede Seite
language-name = Deutsch
language-switch-label = Sprache
language-switch-button = Sprache wechseln
footer = Geschützt durch Gatehouse
brand-privacy = Datenschutzerklärung
brand-terms = Nutzungsbedingungen
month-1 = Januar
month-2 = Februar
month-3 = März
month-4 = April
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = August
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Dezember
date = { $day }. { $month } { $year }
date-time = { $day }. { $month } { $year }, { $time }
field-email = E-Mail
field-password = Passwort
field-name = Name
field-code = Code
button-continue = Weiter
button-sign-in = Anmelden
button-confirm = Bestätigen
button-verify = Prüfen
resend-code = Code erneut senden
other-ways = Anders anmelden
to-continue-to = weiter zu
password-hint = Mindestens 8 Zeichen. Einige Wörter ohne Zusammenhang ergeben ein starkes Passwort, das man sich leicht merkt.
code-from-email = Code aus der E-Mail
code-from-app = Code aus der App
authentication-code = Bestätigungscode

## Anmelden (/login)
login-title = Anmelden
login-title-to = Bei { $app } anmelden
login-locked-reset = Passwort zurücksetzen
login-forgot = Passwort vergessen?
login-other-ways = Andere Anmeldemöglichkeiten
login-passkey = Mit einem Passkey anmelden
login-new-here = Neu hier?
login-create-account = Konto erstellen

## Andere Anmeldemöglichkeiten (/login/methods)
methods-title = Andere Anmeldemöglichkeiten
methods-signing-in-as = Anmeldung als
methods-totp = Code aus meiner Authentifizierungs-App verwenden
methods-password = Mein Passwort verwenden
methods-not-you = Nicht Sie? Andere E-Mail-Adresse verwenden
code-choice-email = Code per E-Mail senden
code-choice-sms = Code per SMS an { $number } senden
code-choice-push = Code an mein Gerät senden

## Code aus der Authentifizierungs-App (/login/verify)
verify-title = Code eingeben
verify-lead = Öffnen Sie Ihre Authentifizierungs-App und geben Sie den aktuellen Code ein.
verify-lead-for = Öffnen Sie Ihre Authentifizierungs-App und geben Sie den aktuellen Code für { $user } ein.

## Code per E-Mail, SMS oder Push (/login/code)
code-title = Code eingeben
code-lead = Wir haben einen Code per { $channel } an { $destination } gesendet. Er ist einige Minuten gültig.
code-resend = Nichts angekommen? Code erneut senden
channel-email = E-Mail
channel-sms = SMS
channel-push = Push-Benachrichtigung

## Passkeys (/login/passkey, /mfa/passkey)
passkey-needs-js = Passkeys brauchen JavaScript, das in diesem Browser ausgeschaltet ist. Schalten Sie es ein oder melden Sie sich anders an.
passkey-name = Name des Passkeys
passkey-login-title = Mit einem Passkey anmelden
passkey-login-lead = Verwenden Sie den Passkey auf diesem Gerät, Ihrem Smartphone oder einem Sicherheitsschlüssel. Keine E-Mail-Adresse und kein Passwort nötig.
passkey-button = Passkey verwenden
passkey-mfa-title = Mit einem Passkey bestätigen
passkey-mfa-lead = Verwenden Sie einen Ihrer Passkeys, um die Anmeldung abzuschließen.
passkey-mfa-back = Einen anderen zweiten Faktor verwenden
passkey-name-example = z. B. Laptop

## Zweiter Schritt (/mfa)
mfa-title = Bestätigung in zwei Schritten
mfa-setup-title = Authentifizierungs-App einrichten
mfa-setup-lead = Diese Anwendung verlangt bei der Anmeldung einen zweiten Schritt. Fügen Sie in Ihrer Authentifizierungs-App (Google Authenticator, Microsoft Authenticator, Authy …) ein Konto hinzu, indem Sie diesen Code scannen.
mfa-setup-button = Bestätigen und weiter
mfa-backup-title = Backup-Code verwenden
mfa-backup-lead = Geben Sie einen Ihrer gespeicherten Backup-Codes ein. Jeder Code gilt nur einmal.
mfa-backup-code = Backup-Code
mfa-choose-lead = Fordern Sie einen Einmalcode an, um die Anmeldung abzuschließen.
mfa-totp-lead = Geben Sie den Code aus Ihrer Authentifizierungs-App ein.
mfa-use-backup = Stattdessen einen Backup-Code verwenden
mfa-or-get-code = Oder einen Code anfordern
mfa-use-passkey = Stattdessen einen Passkey verwenden
mfa-someone-else = Als jemand anderes anmelden
totp-qr-label = QR-Code, um dieses Konto einer Authentifizierungs-App hinzuzufügen
totp-manual = Scannen geht nicht? Schlüssel von Hand eingeben
totp-account = Konto:
totp-kind = Zeitbasiert, 6 Ziffern, alle 30 Sekunden.
totp-key = Schlüssel:
totp-link = Einrichtungslink:

## Registrieren (/register)
register-title = Konto erstellen
register-title-for = Konto für { $app } erstellen
register-button = Konto erstellen
register-have-account = Sie haben schon ein Konto?
confirm-title = Prüfen Sie Ihre E-Mails
confirm-lead = Wir haben einen Code an { $destination } gesendet. Geben Sie ihn hier ein, um Ihre Adresse zu bestätigen und Ihr Konto fertig anzulegen.
confirm-your-address = Ihre E-Mail-Adresse
confirm-start-again = Neu beginnen
confirm-sign-in-instead = Stattdessen anmelden

## Passwort zurücksetzen (/password/…)
forgot-title = Passwort vergessen?
forgot-lead = Geben Sie die E-Mail-Adresse Ihres Kontos ein. Gehört sie zu einem Konto, senden wir ihr einen Code, mit dem Sie ein neues Passwort wählen.
forgot-button = Code senden
forgot-back = Zurück zur Anmeldung
reset-title = Neues Passwort wählen
reset-lead = Falls es ein Konto für { $email } gibt, haben wir ihm einen Code gesendet. Geben Sie den Code ein und wählen Sie ein neues Passwort.
reset-the-address = die eingegebene Adresse
reset-ask-again = Neuen Code anfordern
reset-new-password = Neues Passwort
reset-button = Neues Passwort speichern
done-title = Passwort geändert
done-lead = Ihr neues Passwort gilt. Zu Ihrer Sicherheit wurde jeder Browser abgemeldet, der bei Ihrem Konto angemeldet war.

## Abmelden (/session/end_session)
end-signed-out-title = Abgemeldet
end-signed-out = Sie sind abgemeldet
end-close = Sie können dieses Fenster schließen.
end-title = Abmelden?
end-asks = { $app } möchte Sie abmelden.
end-question = Möchten Sie sich abmelden?
end-button = Abmelden

## Startseite (/)
start-lead = Dies ist ein Anmeldedienst. Anwendungen schicken Sie zur Anmeldung hierher, danach kehren Sie zu ihnen zurück.
start-direct = Wenn Sie direkt hierher gekommen sind, gehen Sie zurück zur gewünschten Anwendung und wählen Sie dort „Anmelden“.
start-developers = Für Entwickler
start-discovery = OpenID-Connect-Discovery:
start-register = Eine Anwendung registrieren Sie mit { $command }; siehe README.

## Zurück zur Anwendung (form_post)
form-post-title = Zurück zur Anwendung …

## Freigabe einer Transaktion (/approve/…)
approval-title = Transaktion freigeben
approval-question = Diese Transaktion freigeben?
approval-state = Transaktion { $state }
approval-lead = { $app } bittet Sie, die folgenden Angaben zu bestätigen.
approval-lead-pending = { $app } bittet Sie, die folgenden Angaben mit einem Code aus Ihrer Authentifizierungs-App zu bestätigen. Prüfen Sie jedes Feld, bevor Sie freigeben.
approval-continue = Weiter zu { $app }
approval-fingerprint = Fingerabdruck dieser Angaben:
approval-answer-by = Antwort bis { $time } UTC
approval-code = Code aus Ihrer Authentifizierungs-App
approval-approve = Freigeben
approval-decline = Ablehnen

## Fehlerseiten
error-status = Fehler { $status }
error-request-id = Anfrage-ID

## Kontoseite (/account)
time-never = nie
time-unknown = unbekannt
acct-title = Ihr Konto
acct-signed-in-as = Angemeldet als
acct-on-this-page = Auf dieser Seite
acct-profile = Profil
acct-password = Passwort
acct-authenticators = Authentifizierungs-Apps
acct-passkeys = Passkeys
acct-backup = Backup-Codes
acct-phone = SMS
acct-push = Push-Geräte
acct-sessions = Sitzungen
acct-activity = Letzte Anmeldungen
acct-stale = Sie haben sich vor mehr als { $minutes } Minuten angemeldet. Zum Schutz Ihres Kontos bitten wir Sie, sich erneut anzumelden, bevor Sie Passwort, E-Mail-Adresse oder Anmeldemethoden ändern.
acct-save-name = Namen speichern
acct-new-email = Neue E-Mail-Adresse
acct-email-hint = Wir senden einen Code an die neue Adresse. Ihre Adresse ändert sich, sobald Sie den Code eingeben.
acct-change-email = E-Mail-Adresse ändern
acct-no-password = Ihr Konto hat noch kein Passwort. Legen Sie eines fest, um sich damit anzumelden.
acct-current-password = Aktuelles Passwort
acct-new-password-hint = Mindestens 8 Zeichen. Einige Wörter ohne Zusammenhang ergeben ein starkes Passwort, das man sich leicht merkt. Ihre anderen Sitzungen werden abgemeldet.
acct-change-password = Passwort ändern
acct-set-password = Passwort festlegen
acct-no-authenticator = Noch keine Authentifizierungs-App. Fügen Sie eine hinzu, um sich mit einem Code anzumelden oder als zweiten Schritt nach dem Passwort.
acct-locked = Gesperrt
acct-added-used = Hinzugefügt { $added } · zuletzt verwendet { $used }
acct-rename = Umbenennen
acct-remove = { $name } entfernen
acct-remove-plain = Entfernen
acct-new-authenticator-name = Name der neuen Authentifizierungs-App
acct-new-authenticator-example = z. B. Mein Smartphone
acct-add-authenticator = Authentifizierungs-App hinzufügen
acct-passkeys-lead = Melden Sie sich mit der Bildschirmsperre Ihres Geräts oder einem Sicherheitsschlüssel an statt mit Passwort und Code.
acct-manage-passkeys = Passkeys hinzufügen und verwalten
acct-backup-none = Mit Backup-Codes schließen Sie die Anmeldung ab, wenn Ihre Authentifizierungs-App nicht zur Hand ist.
acct-backup-remaining = Sie haben { $count ->
        [one] { $count } unbenutzten Backup-Code
       *[other] { $count } unbenutzte Backup-Codes
    }.
acct-backup-low = Nur noch { $count } übrig: Erstellen Sie neue, bevor sie ausgehen.
acct-backup-create = Backup-Codes erstellen
acct-backup-new-set = Neue Codes erstellen (die alten gelten dann nicht mehr)
acct-phone-goes-to = Anmeldecodes per SMS gehen an
acct-no-phone = Noch keine Telefonnummer für Anmeldecodes.
acct-new-phone = Neue Telefonnummer
acct-phone-number = Telefonnummer
acct-phone-hint = In internationaler Form, etwa +49 151 12345678. Wir senden einen Code zur Bestätigung.
acct-add-phone = Code an diese Nummer senden
acct-sms-unavailable = Codes per SMS gibt es auf diesem Server nicht.
acct-remove-phone = Telefonnummer entfernen
acct-no-devices = Kein Gerät erhält Anmeldecodes per Push-Benachrichtigung.
acct-devices-added-from-app = Geräte werden in der App hinzugefügt, die sie empfängt.
acct-device = Gerät
acct-added = Hinzugefügt
acct-last-used = Zuletzt verwendet
acct-push-unavailable = Codes per Push-Benachrichtigung gibt es auf diesem Server nicht.
acct-sessions-lead = Browser, die bei Ihrem Konto angemeldet sind.
acct-end-others = Die anderen Sitzungen abmelden ({ $count })
acct-no-activity = Noch keine Anmeldungen.
acct-time = Zeit
acct-result = Ergebnis
acct-method = Methode
acct-ip = IP-Adresse
acct-signed-in = Angemeldet
acct-failed = Fehlgeschlagen
acct-unknown-sign-in = Eine Anmeldung, die Sie nicht kennen? Ändern Sie Ihr Passwort und melden Sie die anderen Sitzungen ab.
acct-sign-out = Abmelden
acct-drift-ahead = Die Uhr dieser Authentifizierungs-App geht etwa { $seconds } s vor. Stellen Sie die Uhrzeit des Telefons auf automatisch.
acct-drift-behind = Die Uhr dieser Authentifizierungs-App geht etwa { $seconds } s nach. Stellen Sie die Uhrzeit des Telefons auf automatisch.
notice-added = Authentifizierungs-App hinzugefügt.
notice-renamed = Authentifizierungs-App umbenannt.
notice-removed = Authentifizierungs-App entfernt.
notice-signed-in-again = Sie haben sich erneut angemeldet. Sie können Ihre Änderung jetzt vornehmen.
notice-name-changed = Ihr Name wurde gespeichert.
notice-email-changed = Ihre E-Mail-Adresse wurde geändert.
notice-password-changed = Ihr Passwort wurde geändert. Ihre anderen Sitzungen wurden abgemeldet.
notice-password-set = Ihr Passwort wurde festgelegt. Ihre anderen Sitzungen wurden abgemeldet.
notice-phone-added = Ihre Telefonnummer wurde bestätigt.
notice-phone-removed = Ihre Telefonnummer wurde entfernt.
notice-device-removed = Das Gerät wurde entfernt.
notice-sessions-ended = Ihre anderen Sitzungen wurden abgemeldet.
notice-session-ended = Die Sitzung wurde abgemeldet.
method-password = Passwort
method-otp = Einmalcode
method-totp = Authentifizierungs-App
method-email = E-Mail-Code
method-sms = SMS-Code
method-push = Push-Code
method-backupcode = Backup-Code
method-second-step = zweiter Schritt
method-unknown = unbekannt

## Sitzungstabelle (Kontoseite)
sessions-none = Kein Browser ist angemeldet.
sessions-browser = Browser
sessions-signed-in = Angemeldet
sessions-last-seen = Zuletzt aktiv
sessions-actions = Aktionen
sessions-this-browser = Dieser Browser
sessions-ip = IP-Adresse
sessions-ends = endet { $time }
sessions-sign-out = Abmelden
sessions-sign-out-this = diesen Browser
sessions-sign-out-other = { $device }, angemeldet { $time }

## Weitere Kontoseiten
backup-title = Ihre Backup-Codes
backup-lead = Speichern Sie sie jetzt: Sie werden nur einmal angezeigt. Jeder Code gilt einmal, wenn Ihre Authentifizierungs-App nicht zur Hand ist. Frühere Codes gelten nicht mehr.
backup-download = Als Textdatei herunterladen
backup-done = Fertig
confirm-code-lead-before = Wir haben einen Code an
confirm-code-lead-after = {" "}gesendet.
confirm-code-from = Code aus der { $medium }
cancel = Abbrechen
passkeys-title = Passkeys
passkeys-lead = Ein Passkey meldet Sie mit der Bildschirmsperre Ihres Geräts oder einem Sicherheitsschlüssel an: kein Passwort, und er zählt als zwei Schritte.
passkeys-none = Sie haben noch keine Passkeys.
passkeys-meta = { $kind } · hinzugefügt { $added } · zuletzt verwendet { $used }
passkeys-add = Passkey hinzufügen
passkeys-full = Sie haben die höchste Zahl an Passkeys, die ein Konto haben darf. Entfernen Sie einen, um einen weiteren hinzuzufügen.
passkeys-back = Zurück zu Ihrem Konto
signed-out-title = Abgemeldet
signed-out = Sie sind abgemeldet
signed-out-again = Erneut anmelden
totp-setup-title = Authentifizierungs-App hinzufügen
totp-setup-step-1 = Öffnen Sie Ihre Authentifizierungs-App (Google Authenticator, Microsoft Authenticator, Authy …) und fügen Sie ein Konto hinzu.
totp-setup-step-2 = Scannen Sie diesen Code oder geben Sie den Schlüssel von Hand ein.
totp-setup-step-3 = Geben Sie den 6-stelligen Code ein, den die App anzeigt.

## Neue E-Mail-Adresse oder Telefonnummer bestätigen (Kontoseite)
medium-email = E-Mail
medium-sms = SMS
acct-code-email-title = Neue E-Mail-Adresse bestätigen
acct-code-email-lead = Geben Sie ihn hier ein, um die neue Adresse zu bestätigen: Ihre E-Mail-Adresse ändert sich, sobald der Code stimmt.
acct-code-phone-title = Telefonnummer bestätigen
acct-code-phone-lead = Geben Sie ihn hier ein, um die Nummer zu bestätigen: Anmeldecodes per SMS gehen dorthin, sobald der Code stimmt.
acct-sent-again-sms = Wir haben den Code erneut gesendet. Es kann eine Minute dauern.
passkey-kind-synced = Synchronisierter Passkey
passkey-kind-device = Gerätegebunden (Sicherheitsschlüssel)
passkey-notice-added = Der Passkey wurde hinzugefügt.
passkey-notice-renamed = Der Passkey wurde umbenannt.
passkey-notice-removed = Der Passkey wurde entfernt.
approval-state-approved = freigegeben
approval-state-declined = abgelehnt
approval-state-expired = abgelaufen
approval-state-pending = offen
approval-notice-approved = Sie haben diese Transaktion freigegeben. Sie können diese Seite schließen.
approval-notice-declined = Sie haben diese Transaktion abgelehnt. Nichts wurde freigegeben.
approval-notice-expired = Diese Freigabe ist abgelaufen, bevor sie beantwortet wurde. Nichts wurde freigegeben.
