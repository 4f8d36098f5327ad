"""Keyword table for the requested remedy of a ticket, read by etl/enrich/tickets.py.

Phrases are written and matched exactly like the priority phrases in ticket_patterns.py: normalised text
(lower case, no accents), whole words, a negation in the three words before cancels the phrase
("I don't want a refund"). Any change here changes TICKET_RULES_VERSION.
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------------------
# Requested remedy. Labels in precedence order: when a text asks for several, the first phrase in the text
# wins, except that "Fix" is chosen only when no other remedy is asked for. Phrases are asks ("please
# refund", "cancel my subscription"), not mere mentions of a fault.
# ---------------------------------------------------------------------------------------------------------
FIX = "Fix"
# Spanish/Portuguese "cancel..." that is not a cancellation fee ("cargo por cancelación", "taxa de cancelamento").
_CANCEL_NOT_FEE = r"(?<!cargo por )(?<!tarifa de )(?<!taxa de )(?<!multa de )cancel\w*(?! fees?)"
REMEDY_PATTERNS: dict[str, dict[str, tuple[str, ...]]] = {
    "Data recovery": {
        "en": (r"(restore|recover|retrieve) (my |our |the |all )?(lost |deleted )?(data|files|records|backup)",
               r"data recovery", r"roll ?back"),
        "fr": (r"(recuper|restaur)(er|ez) (mes|nos|les) (donnees|fichiers)",),
        "de": (r"(daten|dateien) wiederherstell\w*", r"wiederherstellung (der|unserer|meiner) daten"),
        "es": (r"(recuper|restaur)\w* (los |mis |nuestros )?(datos|archivos)",),
        "it": (r"(recuper|ripristin)\w* (i )?(miei |nostri )?(dati|file)",),
        "pt": (r"(recuper|restaur)\w* (os |meus |nossos )?(dados|arquivos)",),
    },
    "Account reset": {
        "en": (r"reset (my |our |the )?(password|account|2fa|mfa|credentials|login)", r"password reset",
               r"unlock (my|our|the) account", r"reactivate (my|our|the) account", r"restore (my |our )?access"),
        "fr": (r"reinitialis\w* (de |du )?(mon |le |notre )?(mot de passe|compte)",
               r"debloqu(er|ez) (mon|notre) compte"),
        "de": (r"passwort zuru(e)?cksetzen", r"zuru(e)?cksetzen", r"konto entsperren", r"entsperr\w*"),
        "es": (r"restablec\w* (la |mi )?contrasena", r"desbloque\w* (mi|la|nuestra) cuenta", r"resetear"),
        "it": (r"(reimpost|resett)\w* (la )?password", r"reset (della )?password", r"sblocc\w* (il )?(mio )?account"),
        "pt": (r"redefin\w* (a |minha )?senha", r"resetar", r"desbloque\w* (minha|a) conta"),
    },
    "Plan change": {
        "en": (r"downgrad\w*", r"upgrade (my|our) (plan|subscription|account)",
               r"switch (to|from) (the |an |a )?(annual|monthly|yearly|basic|pro|premium|enterprise)",
               r"change (my|our) (plan|billing cycle|subscription)"),
        "fr": (r"changer (de |d'|mon |notre )(forfait|abonnement|offre|plan)", r"passer (a|au) (l'offre|forfait|plan)",
               r"retrograd\w*"),
        "de": (r"(tarif|plan|abo)\w* (wechseln|andern)", r"tarifwechsel", r"downgrade"),
        "es": (r"cambiar (de|mi) plan", r"(bajar|subir) de plan", r"cambio de plan"),
        "it": (r"cambiare piano", r"cambio (di )?piano", r"downgrade"),
        "pt": (r"(mudar|trocar) (de|meu|o) plano", r"downgrade"),
    },
    "Cancellation": {
        "en": (r"cancel(s|ing|ling|lation|ation)?(?! fees?)", r"terminate (my|our|the) (contract|subscription|account)",
               r"close (my|our) account", r"unsubscribe", r"end (my|our) subscription"),
        "fr": (r"(?<!frais d')annul\w*", r"resili\w*", r"fermer (mon|notre) compte", r"desabonn\w*"),
        "de": (r"ku(e)?ndig\w*", r"storn\w*", r"konto (loschen|schliessen)", r"abo beenden"),
        "es": (_CANCEL_NOT_FEE, r"dar(me|nos)? de baja", r"anular"),
        "it": (r"annull\w*", r"disdett\w*", r"disdire", r"cancell\w* (il |l')(mio |nostro )?(account|abbonamento)",
               r"recedere"),
        "pt": (_CANCEL_NOT_FEE,),
    },
    "Refund": {
        "en": (r"refund\w*", r"money back", r"reimburs\w*", r"reverse the charge"),
        "fr": (r"rembours\w*",),
        "de": (r"(ru(e)?ck)?erstatt\w*", r"zuru(e)?ckerstatt\w*", r"geld zuru(e)?ck", r"ru(e)?ckzahlung"),
        "es": (r"reembols\w*", r"devuelvan (mi|el) dinero", r"devolucion del dinero"),
        "it": (r"rimbors\w*", r"soldi indietro"),
        "pt": (r"reembols\w*", r"estorn\w*", r"dinheiro de volta", r"devolucao do dinheiro"),
    },
    "Credit": {
        "en": (r"(account|service|store) credit", r"credit (note|memo)", r"credit (to |on |back to )?(my|our) account",
               r"compensat\w*", r"goodwill"),
        "fr": (r"un avoir", r"geste commercial", r"compensation", r"dedommag\w*", r"indemnis\w*"),
        "de": (r"gutschrift", r"gutschreiben", r"entschadigung", r"kulanz\w*"),
        "es": (r"credito (en|a) (mi|nuestra) cuenta", r"saldo a favor", r"compensacion", r"nota de credito"),
        "it": (r"nota di credito", r"credito sul (mio |nostro )?(conto|account)", r"compensazione", r"indennizz\w*"),
        "pt": (r"credito (na|em) (minha|nossa) conta", r"compensacao", r"indeniza\w*"),
    },
    "Discount": {
        "en": (r"discount\w*", r"promo(tional)? code", r"coupon", r"voucher", r"price (reduction|match)",
               r"lower (the )?price"),
        "fr": (r"remise", r"reduction", r"rabais", r"code promo", r"ristourne"),
        "de": (r"rabatt\w*", r"preisnachlass", r"nachlass", r"gutscheincode", r"ermassigung"),
        "es": (r"descuento", r"codigo promocional", r"rebaja", r"cupon"),
        "it": (r"sconto", r"codice promozionale", r"riduzione (del|di) prezzo", r"coupon"),
        "pt": (r"desconto", r"cupom", r"codigo promocional", r"abatimento"),
    },
    "Replacement": {
        "en": (r"replac(e|ement)", r"exchange (it|the|my|this)", r"send (me |us )?(a )?new (one|unit|device|item)"),
        "fr": (r"remplac\w*", r"echange(r)?"),
        "de": (r"ersatz\w*", r"austausch\w*", r"umtausch\w*", r"ersetz\w*"),
        "es": (r"reemplaz\w*", r"sustitu\w*", r"recambio"),
        "it": (r"sostitu\w*",),
        "pt": (r"substitui\w*", r"troca(r)?"),
    },
    "Escalation": {
        "en": (r"escalat\w*", r"(speak|talk) (to|with) (a|your|the) (manager|supervisor|someone senior)",
               r"supervisor"),
        "fr": (r"escalad\w*", r"parler a (un|votre) (responsable|superieur|manager)", r"superieur hierarchique"),
        "de": (r"eskalier\w*", r"eskalation", r"vorgesetzte\w*", r"(einem|ihrem) (manager|teamleiter) sprechen"),
        "es": (r"escal(ar|en|ado|amiento)", r"supervisor", r"hablar con (un|el|su) (responsable|gerente)"),
        "it": (r"escalation", r"escal\w*", r"supervisore", r"parlare con (un|il) (responsabile|manager)"),
        "pt": (r"escal(ar|em|onar|ado)", r"supervisor", r"gerente"),
    },
    "Callback": {
        "en": (r"call (me|us)( back)?", r"call ?back", r"phone (me|us)", r"give (me|us) a (call|ring)",
               r"contact (me|us)", r"get in touch"),
        "fr": (r"rappel(er|ez)(-moi)?", r"me rappeler", r"appel(er|ez)-moi", r"contactez-(moi|nous)",
               r"me contacter"),
        "de": (r"ru(e)?ckruf", r"ruf\w* (sie )?(mich|uns) (bitte )?(zuru(e)?ck|an)", r"kontaktieren sie (mich|uns)"),
        "es": (r"llam(en|ar)(me|nos)", r"devolver(me)? la llamada", r"contact(en|ar)(me|nos)"),
        "it": (r"(ri)?chiam(are|ate)(mi|ci)", r"(ri)?contatt(are|ate)(mi|ci)"),
        "pt": (r"ligu\w* para (mim|nos)", r"me ligu\w*", r"retorn\w* (a )?ligacao", r"entr\w* em contato comigo"),
    },
    "Feature added": {
        "en": (r"feature request", r"(please|could you|can you|would you) (add|implement|include|support)",
               r"add (support for|an option|a way|the option|a feature)", r"(would|i'd|we'd) like (to see|a way)",
               r"it would be (nice|great|helpful|useful) (if|to)"),
        "fr": (r"ajout(er|ez)", r"ajout d'une?", r"nouvelle fonctionnalite", r"integr(er|ez)"),
        "de": (r"hinzufu(e)?g\w*", r"neue funktion", r"integrier\w*", r"funktionswunsch"),
        "es": (r"anad(ir|an)", r"agreg(ar|uen)", r"incorpor(ar|en)", r"nueva funcion(alidad)?", r"incluir"),
        "it": (r"aggiung\w*", r"integr(are|ate)", r"nuova funzionalita"),
        "pt": (r"adicion(ar|em)", r"acrescent(ar|em)", r"nova funcionalidade", r"novo recurso"),
    },
    FIX: {
        "en": (r"please (fix|resolve|repair|look into|investigate)", r"fix (this|it|that|the \w+|our \w+|my \w+)",
               r"(get|have) (this|it) (fixed|resolved|working)", r"resolve (this|the (issue|problem))",
               r"look into (this|it)", r"need (this|it) fixed", r"repair"),
        "fr": (r"corrig(er|ez)", r"resoudre", r"resolvez", r"repar(er|ez)", r"regl(er|ez) (ce|le) probleme"),
        "de": (r"beheb(en|t)", r"reparier\w*", r"korrigier\w*", r"(bitte )?losen sie", r"in ordnung bringen"),
        "es": (r"solucion(en|ar)", r"arregl(en|ar)", r"corrij(an)", r"corregir", r"repar(en|ar)", r"resolver",
               r"resuelvan"),
        "it": (r"risolv(ere|ete)", r"sistem(are|ate)", r"corregg(ere|ete)", r"ripar(are|ate)"),
        "pt": (r"corrij\w*", r"corrigir", r"resolv(er|am)", r"consert\w*", r"arrum(ar|em)"),
    },
}
