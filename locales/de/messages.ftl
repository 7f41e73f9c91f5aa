# E-Mail-, SMS- und Push-Nachrichten. { $app } ist der Name der Anwendung, { $code } der Code,
# { $minutes } seine Gültigkeit. SMS bleiben kurz (160 Zeichen mit dem Code).

msg-hello = Hallo,
msg-subject-login = Ihr Anmeldecode für { $app }
msg-subject-register = Bestätigen Sie Ihre E-Mail-Adresse für { $app }
msg-subject-reset = Ihr Passwort für { $app } zurücksetzen
msg-subject-email-change = Bestätigen Sie Ihre neue E-Mail-Adresse für { $app }
msg-subject-phone-confirm = Bestätigen Sie Ihre Telefonnummer für { $app }
msg-lead-login = Mit diesem Code melden Sie sich bei { $app } an:
msg-lead-register = Mit diesem Code bestätigen Sie Ihre E-Mail-Adresse und schließen die Erstellung Ihres Kontos bei { $app } ab:
msg-lead-reset = Jemand möchte das Passwort Ihres Kontos bei { $app } zurücksetzen. Mit diesem Code wählen Sie ein neues:
msg-lead-email-change = Jemand möchte diese Adresse für sein Konto bei { $app } verwenden. Wenn Sie das waren, geben Sie diesen Code auf Ihrer Kontoseite ein, um die Änderung zu bestätigen:
msg-lead-phone-confirm = Geben Sie diesen Code auf Ihrer Kontoseite bei { $app } ein, um diese Telefonnummer für Anmeldecodes zu bestätigen:
msg-noun-login = Anmeldecode
msg-noun-register = Bestätigungscode
msg-noun-reset = Code zum Zurücksetzen des Passworts
msg-noun-confirm = Bestätigungscode
msg-link-before = Geben Sie ihn auf der Seite ein, auf der Sie ihn angefordert haben, oder
msg-link = öffnen Sie diese Seite
msg-valid = Der Code ist { $minutes } Minuten gültig und funktioniert nur einmal.
msg-ignore = Wenn Sie ihn nicht angefordert haben, können Sie diese Nachricht ignorieren.
msg-ignore-reset = Wenn Sie ihn nicht angefordert haben, können Sie diese Nachricht ignorieren: Ihr Passwort bleibt unverändert.
msg-never-tell = Geben Sie diesen Code niemandem weiter, auch niemandem, der angeblich für { $app } arbeitet.
msg-sms = { $code } ist Ihr { $noun } für { $app }. { $minutes } Min. gültig. Nicht weitergeben.
msg-push = { $code } ist Ihr { $noun } für { $app }. Er ist { $minutes } Minuten gültig.
msg-push-title = Ihr { $noun }

## Hinweise ohne Code (der Kontoinhaber erfährt von einer Änderung)
notice-link-reset = Neues Passwort wählen:
notice-link-account = Ihr Konto:
notice-already-registered-subject = Ihr Konto bei { $app }
notice-already-registered-1 = Jemand, vielleicht Sie, wollte mit dieser E-Mail-Adresse ein neues Konto bei { $app } anlegen. Sie haben bereits ein Konto, daher wurde nichts angelegt und nichts geändert.
notice-already-registered-2 = Wenn Sie das waren und Ihr Passwort nicht mehr wissen, können Sie ein neues wählen. Wenn nicht, können Sie diese Nachricht ignorieren.
notice-password-changed-subject = Ihr Passwort bei { $app } wurde geändert
notice-password-changed-1 = Das Passwort Ihres Kontos bei { $app } wurde soeben geändert, und jeder angemeldete Browser wurde abgemeldet.
notice-password-changed-2 = Wenn Sie das waren, ist nichts weiter zu tun. Wenn nicht, wählen Sie sofort ein neues Passwort: Jemand anderes kennt vielleicht Ihr altes.
notice-password-changed-account-subject = Ihr Passwort bei { $app } wurde geändert
notice-password-changed-account-1 = Das Passwort Ihres Kontos bei { $app } wurde soeben auf der Kontoseite geändert, und jeder andere angemeldete Browser wurde abgemeldet.
notice-password-changed-account-2 = Wenn Sie das waren, ist nichts weiter zu tun. Wenn nicht, wählen Sie sofort ein neues Passwort: Jemand anderes ist vielleicht bei Ihrem Konto angemeldet.
notice-email-changed-subject = Die E-Mail-Adresse Ihres Kontos bei { $app } wurde geändert
notice-email-changed-1 = Die E-Mail-Adresse Ihres Kontos bei { $app } wurde soeben geändert. Ab jetzt melden Sie sich mit der neuen Adresse an, und Nachrichten zum Konto gehen dorthin statt an diese.
notice-email-changed-2 = Wenn Sie das waren, ist nichts weiter zu tun. Wenn nicht, wenden Sie sich sofort an Ihre Administration: Jemand anderes ist vielleicht bei Ihrem Konto angemeldet.
notice-email-in-use-subject = Ihr Konto bei { $app }
notice-email-in-use-1 = Jemand, vielleicht Sie, wollte diese E-Mail-Adresse für ein anderes Konto bei { $app } verwenden. Sie gehört bereits zu Ihrem Konto, daher wurde nichts geändert.
notice-email-in-use-2 = Wenn Sie das nicht waren, können Sie diese Nachricht ignorieren.
