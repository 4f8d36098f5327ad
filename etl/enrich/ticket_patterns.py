"""Keyword tables for ticket priority, read by etl/enrich/tickets.py (remedies: remedy_patterns.py).

How to read and edit these tables:

* Each entry is one phrase (a small regular expression) matched against the ticket text after
  normalisation: lower case, accents removed (é -> e, ü -> u, ß -> ss, ç -> c), curly apostrophes made
  straight, runs of whitespace made one space. So write "resolu" not "résolu", "moglich" not "möglich".
* A phrase matches whole words: it is wrapped in \\b...\\b. Use `\\w*` for "any ending" (fehler\\w* also
  finds "Fehlermeldung"), `(a|b)` for alternatives and `?` for optional parts (groups need not be
  non-capturing: the compiler makes them so).
* Priority: the most urgent level with a matching phrase wins (Critical > High > Medium > Low), after the
  category rules described in docs/enrichment-rules.md. A phrase preceded within three words of the same
  clause by a negation (NEGATORS below: "not urgent", "pas urgent", "nicht dringend") does not count.
* A ticket whose language is known is matched with its language's phrases plus the English ones (tickets
  often mix in English words); an unknown language is matched with all languages.
* Any change here changes TICKET_RULES_VERSION, so cached enrichment results are recomputed.
"""

from __future__ import annotations

CRITICAL, HIGH, MEDIUM, LOW = "Critical", "High", "Medium", "Low"
LANGUAGES = ("en", "fr", "de", "es", "it", "pt")

# ---------------------------------------------------------------------------------------------------------
# Priority. Critical: the service or data is gone for everyone (outage, production down, data loss, security
# breach, nobody can work). High: self-declared urgency, one person/team blocked, repeated failure, no
# workaround. Medium: a problem in one feature. Low: questions, how-to, feature wishes, cosmetic, "no rush".
# ---------------------------------------------------------------------------------------------------------
_SYSTEMS_EN = r"(system|systems|server|servers|site|website|service|platform|production|prod|app|application|api"
_SYSTEMS_EN += r"|database|db|portal|dashboard|everything)"
PRIORITY_PATTERNS: dict[str, dict[str, tuple[str, ...]]] = {
    CRITICAL: {
        "en": (
            r"outages?", r"(total|complete|major) (failure|breakdown)", r"emergency", r"sev ?1", r"severity 1",
            _SYSTEMS_EN + r" (is |are |was |were |has been |have been |went |has gone )?(completely |totally "
            r"|entirely |still )?(down|offline|unreachable|unavailable)",
            r"down for (everyone|everybody|all (of )?(our |the )?(users|customers|us))",
            r"data (loss|breach|leak)", r"(lost|losing|deleted|wiped) (all )?(of )?(our|my|the) (data|files|records)",
            r"data (was |were |has been |have been |got |is )?(lost|deleted|wiped|corrupted|gone)",
            r"(corrupted|corrupt) (data|database|files)", r"security (breach|incident|hole)",
            r"hacked", r"(account|accounts) (was |were |has been |have been )?compromised",
            r"unauthori[sz]ed (access|logins?)", r"(nobody|no one|none of (us|our users|our staff)) can "
            r"(log ?in|sign in|access|work|use|connect)",
            r"(all|every one of) (of )?(our |the )?(users|customers|employees|staff|agents) (are |is )?(blocked"
            r"|locked out|affected|unable|can'?t|cannot)",
            r"(everyone|everybody) (is |are )?(blocked|locked out|affected|unable|can'?t|cannot)",
            r"blocking (everyone|everybody|all (of )?(our )?(users|work))",
            r"(affects|affecting|impacts|impacting) (all|every one of) (of )?(our |the )?(users|customers|clients)",
            r"(down|broken|failing|unavailable|not working|blank( screen| page)?|errors?|crash\w*) for (all|every)"
            r" (of )?(our |the )?(users|customers|clients)",
            r"(can'?t|cannot|can not|unable to|not able to) (access|use|open|reach) [a-z' ]{0,30}at all",
            r"(can'?t|cannot|can not|unable to) (access|use) anything", r"no access (at all|whatsoever)",
            r"completely (unusable|inaccessible|broken|down|dead|blocked)", r"nothing (works|is working)",
            r"(production|prod) (is )?(stopped|halted|blocked)",
        ),
        "fr": (
            r"pannes? (generale|totale|complete|majeure)s?", r"coupure (totale|generale)", r"urgence absolue",
            r"interruption (totale|generale|complete) (du|de) service",
            r"(systeme|serveurs?|site|service|plateforme|production|application|api|base de donnees|tout) "
            r"(est |sont |etait )?(completement |totalement )?(en panne|hors service|hors ligne|inaccessibles?"
            r"|indisponibles?|down|a l'arret)",
            r"pertes? (de|des) donnees", r"(donnees|fichiers) (ont ete |sont )?(perdu|perdues|perdus|supprimees"
            r"|effacees|corrompues|ecrasees)", r"(avons|ai) perdu (toutes )?(nos|mes|les) (donnees|fichiers)",
            r"faille de securite", r"violation (de|des) (securite|donnees)", r"fuite de donnees",
            r"(compte )?pirate", r"piratage", r"acces non autorise",
            r"(plus )?personne ne peut (plus )?(se connecter|travailler|acceder|utiliser)",
            r"aucun (utilisateur|client|employe) ne peut",
            r"tous (les|nos) (utilisateurs|clients|employes|collaborateurs) (sont |ont ete )?(bloques|impactes)",
            r"tout le monde (est )?(bloque|impacte)", r"bloque tout le monde", r"(plus )?aucun acces",
            r"completement (bloques?|inutilisable|inaccessible|en panne)", r"(plus )?rien ne (fonctionne|marche)",
        ),
        "de": (
            r"(total|komplett|system|server|netzwerk|dienst|plattform|produktions)?ausfall", r"notfall",
            r"(system|server|seite|webseite|website|dienst|plattform|produktion|anwendung|app|datenbank|portal"
            r"|alles) (ist |sind |war )?(komplett |vollstandig |total )?(down|offline|ausgefallen|nicht erreichbar"
            r"|nicht verfugbar|lahmgelegt)",
            r"(produktion|betrieb) steht( still)?", r"nichts (geht|funktioniert) mehr", r"datenverlust",
            r"(daten|dateien) (sind |wurden |ist )?(verloren|geloscht|weg|beschadigt|korrupt)",
            r"sicherheits(lucke|verletzung|vorfall)", r"datenleck", r"datenpanne", r"gehackt", r"kompromittiert",
            r"unbefugte[rn]? zugriff", r"(niemand|keiner) kann (sich )?(mehr )?(anmelden|einloggen|arbeiten"
            r"|zugreifen)",
            r"alle (benutzer|nutzer|mitarbeiter|kunden) (sind |haben )?(blockiert|gesperrt|ausgesperrt|betroffen"
            r"|keinen zugriff)",
            r"(gar|u(e)?berhaupt) (kein|keinen) zugriff", r"komplett (unbrauchbar|blockiert|gesperrt)",
        ),
        "es": (
            r"caida (total|general|del (sistema|servicio|servidor))", r"apagon", r"emergencia",
            r"(sistema|servidor|servidores|sitio|web|pagina|servicio|plataforma|produccion|aplicacion|app"
            r"|base de datos|todo) (esta |estan |se ha |ha )?(completamente |totalmente )?(caido|caida|caidos"
            r"|fuera de servicio|fuera de linea|inaccesible|inoperativo|parado|parada|no disponible|down)",
            r"(perdida|perdimos|hemos perdido|se perdieron|se borraron) (de )?(todos )?(los |nuestros |mis )?"
            r"(datos|archivos|informacion|registros)",
            r"datos (perdidos|borrados|eliminados|corruptos|corrompidos)", r"brecha de seguridad",
            r"violacion de (seguridad|datos)", r"fuga de datos", r"hackead[oa]s?", r"hackearon",
            r"acceso no autorizado", r"cuenta comprometida", r"nadie puede",
            r"ningun (usuario|empleado|cliente) puede", r"todo el mundo (esta )?bloqueado",
            r"todos (los usuarios |los empleados |nuestros usuarios )?(estan )?bloqueados",
            r"sin (ningun )?acceso (alguno|en absoluto|a nada)", r"no (podemos|puedo) acceder a nada",
            r"completamente (inaccesible|inutilizable|bloqueado|caido)", r"nada funciona", r"no funciona nada",
        ),
        "it": (
            r"(sistema|server|sito|servizio|piattaforma|produzione|applicazione|app|database|portale|tutto) "
            r"(e |sono |risulta )?(completamente |totalmente )?(down|fermo|ferma|fermi|inaccessibile"
            r"|irraggiungibile|fuori servizio|offline|non disponibile|bloccato)",
            r"disservizio (totale|generale)", r"interruzione (totale|del servizio)", r"blackout", r"emergenza",
            r"perdita (di|dei) dati", r"(dati|file) (persi|cancellati|corrotti|eliminati|spariti)",
            r"abbiamo perso (tutti )?(i )?(nostri )?(dati|file)", r"violazione (della |di )?(sicurezza|dati)",
            r"falla di sicurezza", r"fuga di dati", r"hackerat[oa]", r"accesso non autorizzato",
            r"account compromesso", r"nessuno (puo|riesce a|riesce ad) (accedere|lavorare|entrare|collegarsi)",
            r"tutti (gli utenti |i dipendenti |i clienti )?(sono )?bloccati", r"blocca tutti",
            r"completamente (inaccessibile|inutilizzabile|bloccat[oa]|fermo)", r"non funziona (piu )?niente",
            r"niente funziona",
        ),
        "pt": (
            r"(sistema|servidor|site|servico|plataforma|producao|aplicativo|aplicacao|app|banco de dados|portal"
            r"|tudo) (esta |estao |ficou )?(completamente |totalmente )?(fora do ar|caido|parad[oa]|inacessivel"
            r"|indisponivel|offline|down)",
            r"(sistema|servidor|site|servico|plataforma|aplicativo) caiu", r"queda (total|geral|do (sistema"
            r"|servidor|servico))", r"pane geral", r"emergencia",
            r"perda (de|dos) dados", r"(dados|arquivos) (perdidos|apagados|corrompidos|excluidos|sumiram)",
            r"perdemos (todos )?(os )?(nossos )?(dados|arquivos)", r"(violacao|falha|brecha) de seguranca",
            r"vazamento de dados", r"hackead[oa]", r"invadid[oa]", r"acesso nao autorizado",
            r"conta comprometida", r"ninguem (consegue|pode) (acessar|entrar|trabalhar|logar|usar)",
            r"nenhum (usuario|funcionario) (consegue|pode)",
            r"todos (os usuarios |os funcionarios |os clientes )?(estao )?bloqueados",
            r"completamente (inacessivel|inutilizavel|bloquead[oa]|parad[oa])", r"nada funciona",
            r"nao funciona nada",
        ),
    },
    HIGH: {
        "en": (
            r"urgent(ly)?", r"urgency", r"asap", r"as soon as possible", r"immediately", r"right away",
            r"time[- ]sensitive", r"top priority", r"high priority", r"critical(ly)?", r"deadline", r"escalat\w*",
            r"blocker", r"blocking (our|the|my|a) (whole |entire )?(team|department|project|release|launch|work)",
            r"blocks (our|the|my) (whole |entire )?team", r"(we|i)('re|'m| are| am) (completely )?(blocked|stuck)",
            r"(our|the|my) (whole |entire )?team (is |are )?(blocked|stuck|unable to work|can'?t work)",
            r"(can'?t|cannot|can not|unable to|not able to) (log ?in|sign in|login|access|pay|work|connect)",
            r"locked out", r"access denied",
            r"(failed|fails|failing|crashed|crashes|crashing|happened|happens|broke|breaks) (again|repeatedly"
            r"|multiple times|several times|every time|each time|constantly|daily|all the time)",
            r"(keeps|kept|keep) (on )?(failing|crashing|happening|breaking|freezing|timing out|logging (me|us) out)",
            r"again and again", r"over and over", r"repeatedly", r"(multiple|several|many|numerous) times",
            r"(third|3rd|fourth|4th|fifth|5th) time", r"still (broken|failing|unresolved)",
            r"still (not|isn't|hasn't been|has not been|is not|not been) (fixed|resolved|working|solved)",
            r"no workaround", r"without (a |any )?workaround", r"losing (money|revenue|customers|sales|orders)",
        ),
        "fr": (
            r"urgent(e|es|s)?", r"urgence", r"urgemment", r"au plus vite", r"des que possible", r"au plus tot",
            r"immediatement", r"tout de suite", r"sans delai", r"prioritaire", r"critiques?", r"bloquant(e|es|s)?",
            r"bloque(e|s|es)?", r"impossible de (me |nous |se )?(connecter|acceder|payer|travailler|utiliser)",
            r"(je|nous|on) n(e |')(peux|pouvons|peut|arrive|arrivons|parviens|parvenons) (pas|plus) (a )?"
            r"(me |nous |m'|vous )?(connecter|acceder|payer|travailler)",
            r"a plusieurs reprises", r"plusieurs fois", r"encore une fois", r"sans (arret|cesse)", r"constamment",
            r"(a|ont) chaque fois", r"toujours pas (resolu|regle|corrige|repare)",
            r"(aucune|sans|pas de) (solution de )?contournement",
            r"(nous )?perdons (de l'argent|des ventes|des clients|des commandes)", r"perte de chiffre d'affaires",
        ),
        "de": (
            r"dringend(e|er|es)?", r"dringlich", r"eilig", r"sofort", r"umgehend", r"unverzu(e)?glich",
            r"schnellstmo(e)?glich", r"so schnell wie mo(e)?glich", r"asap", r"kritisch(e|er|es)?", r"blockiert",
            r"nicht (mehr )?(anmelden|einloggen|zugreifen|arbeiten|bezahlen)",
            r"kein zugriff", r"ausgesperrt", r"zugriff verweigert", r"mehrfach", r"mehrmals", r"wiederholt",
            r"standig", r"immer wieder", r"schon wieder", r"jedes mal", r"zum (dritten|vierten|x-ten) mal",
            r"immer noch nicht", r"noch immer nicht", r"(kein|keine|ohne) (workaround|umgehungslosung)",
            r"verlieren (geld|umsatz|kunden|auftrage)", r"umsatzverlust\w*",
        ),
        "es": (
            r"urgentes?", r"urgencia", r"urgentemente", r"lo antes posible", r"cuanto antes",
            r"lo mas pronto posible", r"de inmediato", r"inmediatamente", r"prioritario", r"critico",
            r"bloquead[oa]s?", r"no (puedo|podemos|logro|logramos|consigo|conseguimos) (iniciar sesion|acceder"
            r"|entrar|conectarme|conectarnos|trabajar|pagar)",
            r"varias veces", r"repetidas veces", r"repetidamente", r"una y otra vez", r"constantemente",
            r"cada vez", r"por (tercera|cuarta|quinta) vez", r"sigue sin (funcionar|resolverse|solucion)",
            r"(todavia|aun) no (se ha )?(resuelto|solucionado|arreglado|funciona)",
            r"sin (solucion alternativa|solucion temporal|alternativa)",
            r"perdiendo (dinero|ventas|clientes|pedidos)",
        ),
        "it": (
            r"urgent(e|i|emente)", r"urgenza", r"al piu presto", r"quanto prima", r"il prima possibile",
            r"immediatamente", r"subito", r"massima priorita", r"critic(o|a)", r"bloccat[oa]", r"bloccante",
            r"non (riesco|riusciamo|posso|possiamo) (a |ad )?(accedere|entrare|lavorare|pagare|collegarmi"
            r"|collegarci|fare il login)",
            r"piu volte", r"ripetutamente", r"continuamente", r"ogni volta", r"ancora una volta",
            r"per la (terza|quarta|quinta) volta", r"ancora non (risolto|funziona)",
            r"non (e )?ancora (stato )?risolto", r"(nessuna|senza) (soluzione alternativa|alternativa|workaround)",
            r"perdendo (soldi|vendite|clienti|ordini)",
        ),
        "pt": (
            r"urgentes?", r"urgencia", r"urgentemente", r"o quanto antes", r"o mais rapido possivel",
            r"assim que possivel", r"imediatamente", r"prioridade (alta|maxima)", r"critico",
            r"bloquead[oa]s?", r"nao (consigo|conseguimos|posso|podemos) (acessar|entrar|fazer login|logar"
            r"|trabalhar|pagar)",
            r"varias vezes", r"repetidamente", r"constantemente", r"toda vez", r"mais uma vez",
            r"pela (terceira|quarta|quinta) vez", r"continua (travando|falhando|sem funcionar|dando erro)",
            r"ainda nao (foi )?(resolvido|corrigido|funciona)", r"(sem|nenhuma) (solucao alternativa|alternativa)",
            r"perdendo (dinheiro|vendas|clientes|pedidos)",
        ),
    },
    MEDIUM: {
        "en": (
            r"bugs?", r"buggy", r"glitch(es|y)?", r"defects?", r"(?<!spelling )(?<!typing )errors?", r"issues?",
            r"problems?", r"(doesn'?t|does not|don'?t|do not|isn'?t|is not|aren'?t|not|won'?t|will not) "
            r"(work|working|load|loading|open|opening|save|saving|sync|syncing|update|updating|respond|responding)",
            r"broken", r"crash(es|ed|ing)?", r"freez(e|es|ing)", r"froze(n)?", r"hangs", r"slow", r"sluggish",
            r"lag(s|gy|ging)?", r"timeouts?", r"time(d|s)? out", r"fail(s|ed|ing|ure|ures)?", r"incorrect(ly)?",
            r"wrong", r"inaccurate", r"missing", r"mismatch", r"workaround", r"work around",
            r"(unexpected|weird|strange) behaviou?r",
        ),
        "fr": (
            r"bugs?", r"bogues?", r"erreurs?(?! de frappe)", r"problemes?", r"soucis?", r"dysfonctionnements?",
            r"anomalies?", r"ne (fonctionne|marche|charge|s'ouvre|repond|synchronise|s'affiche) (pas|plus)",
            r"n'(arrive|affiche|enregistre|ouvre) (pas|plus)", r"plante", r"plantage", r"crash(e)?", r"se bloque",
            r"fige", r"lent(e|s|es)?", r"lenteurs?", r"ralentissements?", r"echou(e|es|ent|er)", r"echecs?",
            r"incorrect(e|s|es)?", r"errone(e|s|es)?", r"manquant(e|s|es)?", r"contournement",
        ),
        "de": (
            r"fehler\w*", r"bugs?", r"problem(e|en)?", r"storung(en)?", r"defekt", r"kaputt",
            r"(funktioniert|geht|lauft|ladt|offnet|synchronisiert|speichert|klappt) (\w+ )?nicht", r"absturz",
            r"sturzt (\w+ )?ab", r"abgesturzt", r"hangt", r"friert ein", r"eingefroren", r"langsam",
            r"verzogerung(en)?", r"timeout", r"zeituberschreitung", r"fehlgeschlagen", r"schlagt fehl",
            r"falsch(e|en|er|es)?", r"fehlt", r"workaround", r"umgehungslosung",
        ),
        "es": (
            r"error(es)?(?! (tipografico|ortografico|de tipeo))", r"fallos?", r"problemas?", r"bugs?",
            r"incidencias?", r"averia", r"defecto",
            r"no (funciona|anda|carga|abre|responde|sincroniza|guarda|se actualiza|muestra)",
            r"(ha )?dejado de funcionar", r"dejo de funcionar", r"se (cuelga|bloquea|cierra|congela)",
            r"congelad[oa]", r"lent[oa]s?", r"lentitud", r"tiempo de espera", r"timeout", r"falla(n|do)?",
            r"incorrect[oa]s?", r"erroneo|erronea", r"equivocad[oa]", r"solucion (temporal|alternativa)",
        ),
        "it": (
            r"errore(?! di (battitura|ortografia))", r"errori", r"problem(a|i)", r"bug", r"guast(o|i)",
            r"malfunzionament(o|i)", r"anomali(a|e)", r"difett(o|i)",
            r"non (funziona|carica|si apre|risponde|sincronizza|salva|si aggiorna)", r"ha smesso di funzionare",
            r"si (blocca|chiude|pianta|impalla)", r"crash(a)?", r"lent(o|a|i|e)", r"lentezza", r"rallentament(o|i)",
            r"timeout", r"fallit[oa]", r"fallisce", r"sbagliat[oa]", r"errat[oa]", r"non corrett[oa]",
            r"mancant(e|i)", r"soluzione (temporanea|alternativa)", r"workaround",
        ),
        "pt": (
            r"erros?(?! de (digitacao|ortografia))", r"problemas?", r"bugs?", r"falhas?", r"defeito",
            r"nao (funciona|carrega|abre|responde|sincroniza|salva|atualiza)", r"parou de funcionar",
            r"trav(a|ou|ando)", r"congel(a|ou)", r"crash", r"lent(o|a|os|as)", r"lentidao", r"demora",
            r"timeout", r"falhou", r"falhando", r"incorret(o|a)", r"errad(o|a)", r"faltando",
            r"solucao (temporaria|alternativa)",
        ),
    },
    LOW: {
        "en": (
            r"questions?", r"how (do|can|should|could|would) (i|we|you)", r"how to", r"how does",
            r"is (it|there) (possible|a way)", r"where (can|do) (i|we) (find|see|change)",
            r"feature request", r"new feature", r"enhancement", r"suggestions?", r"(i|we) suggest",
            r"(it )?would (be )?(nice|great|helpful|useful|good|awesome|love)", r"nice to have", r"wish(list)?",
            r"(please|could you|can you) (add|consider|include|support)", r"feedback", r"cosmetic", r"typos?",
            r"spelling", r"misspell(ed|ing)?", r"(mis)?alignment", r"misaligned", r"fonts?", r"colou?rs?",
            r"dark mode", r"not urgent", r"no rush", r"no hurry", r"whenever (you can|possible)",
            r"when(ever)? you (have|get) (time|a chance|a moment)", r"low priority", r"minor", r"curious",
            r"just (wondering|checking)", r"documentation", r"needs to be updated", r"thanks?( you)?",
            r"works now", r"(is|has been) resolved", r"can be closed", r"close (this|the) ticket",
            r"(update|change) (my|our|the) (email|e-mail|address|billing address|phone|name|contact|payment method)",
        ),
        "fr": (
            r"questions?", r"comment (faire|puis-je|pouvons-nous|peut-on|configurer|modifier|changer|ajouter)",
            r"est-il possible", r"serait-il possible", r"est-ce possible", r"y a-t-il un moyen", r"suggestions?",
            r"demande de (nouvelle )?fonctionnalite", r"nouvelle fonctionnalite", r"amelioration",
            r"ce serait (bien|super|genial|utile|pratique)", r"il serait (bien|utile|pratique)",
            r"j'aimerais (bien )?(avoir|pouvoir|voir)", r"pourriez-vous (ajouter|envisager)", r"faute de frappe",
            r"erreur de frappe", r"coquille", r"cosmetique", r"orthographe", r"couleurs?", r"police",
            r"alignement", r"pas (tres |vraiment )?urgent(e)?", r"rien d'urgent", r"pas presse",
            r"quand vous (aurez|pourrez|avez) (le temps|un moment)", r"mineure?", r"documentation",
            r"(mettre a jour|modifier|changer) (mon|notre|l') ?(adresse|e-mail|email|nom|numero|moyen de paiement)",
        ),
        "de": (
            r"fragen?", r"wie (kann|konnen|koennen) (ich|wir|man)", r"ist es mo(e)?glich", r"ware es mo(e)?glich",
            r"gibt es (eine mo(e)?glichkeit|einen weg)", r"vorschlag", r"anregung", r"funktionswunsch",
            r"feature-?wunsch", r"verbesserungsvorschlag", r"neue funktion", r"ware (schon|toll|gut|super|hilfreich)",
            r"(ich|wir) wunsche?n? (mir|uns)", r"tippfehler", r"rechtschreib\w*", r"schreibfehler",
            r"kosmetisch\w*", r"schriftart", r"farbe", r"nicht (so |sehr )?dringend", r"keine eile",
            r"eilt nicht", r"wenn sie zeit haben", r"geringfu(e)?gig", r"kleinigkeit", r"dokumentation",
            r"(e-?mail|adresse|telefonnummer|zahlungsmethode)\w* (andern|aktualisieren)",
        ),
        "es": (
            r"preguntas?", r"dudas?", r"consulta", r"como (puedo|podemos|hago|hacemos)",
            r"como se (puede|hace|configura|cambia)", r"es posible", r"seria posible",
            r"hay (alguna )?(forma|manera)", r"sugerencias?", r"sugiero", r"propuesta",
            r"solicitud de (nueva )?funcion(alidad)?", r"nueva funcion(alidad)?", r"mejora",
            r"seria (genial|util|bueno|estupendo|ideal)", r"me gustaria (que|tener|poder|ver)",
            r"podrian (anadir|agregar|incluir|considerar)", r"error (tipografico|ortografico|de tipeo)", r"errata",
            r"cosmetico", r"ortografia", r"color(es)?", r"no es (muy |tan )?urgente", r"nada urgente",
            r"sin prisa", r"no hay prisa", r"cuando (puedan|tengan tiempo)", r"menor", r"documentacion",
            r"(actualizar|cambiar|modificar) (mi|nuestro|nuestra|el|la) (correo|email|direccion|telefono|nombre)",
        ),
        "it": (
            r"domand(a|e)", r"come (posso|possiamo|faccio)", r"come si (fa|puo|configura|cambia|imposta)",
            r"e possibile", r"sarebbe possibile", r"c'e un modo", r"suggeriment(o|i)", r"proposta",
            r"richiesta di (nuova )?funzionalita", r"nuova funzionalita", r"miglioramento",
            r"sarebbe (bello|utile|fantastico|comodo|ottimo)", r"mi piacerebbe",
            r"potreste (aggiungere|considerare|inserire)", r"errore di (battitura|ortografia)", r"refuso",
            r"estetic(o|a)", r"colore", r"allineamento", r"non (e )?(molto |cosi )?urgente", r"nessuna fretta",
            r"senza fretta", r"con calma", r"quando avete tempo", r"minore", r"documentazione",
            r"(aggiornare|cambiare|modificare) (il mio |la mia |il nostro |la nostra |l')(email|indirizzo|numero)",
        ),
        "pt": (
            r"perguntas?", r"duvidas?", r"como (posso|podemos|faco|fazemos)", r"como se faz", r"e possivel",
            r"seria possivel", r"existe (uma )?(forma|maneira)", r"sugest(ao|oes)", r"sugiro", r"proposta",
            r"solicitacao de (nova )?funcionalidade", r"nova funcionalidade", r"novo recurso", r"melhoria",
            r"seria (otimo|bom|util|legal|interessante)", r"gostaria (muito )?que",
            r"poderiam (adicionar|incluir|considerar)", r"erro de (digitacao|ortografia)", r"cosmetico",
            r"cor(es)?", r"alinhamento", r"nao e (muito |tao )?urgente", r"nada urgente", r"sem pressa",
            r"quando (puderem|tiverem tempo)", r"menor", r"documentacao",
            r"(atualizar|alterar|mudar) (o |a |meu |minha |nosso |nossa )?(e-?mail|endereco|telefone|nome)",
        ),
    },
}

# Money taken wrongly: High in a billing ticket (or one without a category); Medium in other categories.
BILLING_HIGH_PATTERNS: dict[str, tuple[str, ...]] = {
    "en": (
        r"(charged|billed|debited) (me |us )?(twice|two times|double|multiple times|more than once|three times)",
        r"double[- ]?(charged|billed|charge|charges|billing)", r"duplicate (charges?|payments?|invoices?)",
        r"overcharg(e|ed|es|ing)", r"over[- ]charged", r"charged (me |us )?(too much|extra|the wrong amount)",
        r"(wrong|incorrect) (amount|charge|invoice|price|bill)", r"unexpected (charges?|fees?)", r"hidden fees?",
        r"unauthori[sz]ed (charges?|payments?|transactions?)", r"payment (failed|failing|declined|rejected)",
        r"(still|keep|keeps) (being |getting )?(charged|billed)",
        r"(charged|billed) (me |us |my card |our card )?(after|even though|although|despite) (i |we )?"
        r"(cancel|unsub)\w*",
    ),
    "fr": (
        r"(facture|factures|facturee?|preleve|prelevee|debite|debitee) (deux fois|en double|a tort|trop"
        r"|plusieurs fois)",
        r"double (facturation|prelevement|paiement|debit)", r"surfactur\w*", r"montant (incorrect|errone|faux)",
        r"(facture|prelevement) (incorrecte?|erronee?|injustifiee?)", r"frais (caches|inattendus|injustifies)",
        r"paiement (refuse|rejete|echoue|a echoue)", r"prelevement non autorise",
    ),
    "de": (
        r"(doppelt|zweimal) (abgebucht|berechnet|belastet|bezahlt|abgerechnet)",
        r"zu viel (berechnet|abgebucht|bezahlt|belastet)", r"u(e)?berho(e)?hte (rechnung|abbuchung|gebu(e)?hr)",
        r"falsche(r|n)? (betrag|rechnung|abbuchung)", r"unberechtigte (abbuchung|belastung)",
        r"doppelte (abbuchung|zahlung|rechnung|belastung)", r"zahlung (ist )?(fehlgeschlagen|abgelehnt)",
    ),
    "es": (
        r"(cobrad[oa]s?|cobraron|cargad[oa]|cargaron|facturad[oa]) (dos veces|doble|de mas|por duplicado"
        r"|varias veces)",
        r"(cobro|cargo|pago) (doble|duplicado|indebido|excesivo|no autorizado)", r"doble (cobro|cargo|factura)",
        r"importe (incorrecto|erroneo)", r"factura (incorrecta|erronea)", r"pago (rechazado|fallido)",
        r"cargos? (inesperados?|ocultos?)",
    ),
    "it": (
        r"(addebitat[oa]|pagat[oa]|fatturat[oa]) (due volte|doppio|in eccesso|piu volte)",
        r"doppio (addebito|pagamento)", r"addebito (doppio|errato|eccessivo|non autorizzato)",
        r"importo (errato|sbagliato)", r"fattura (errata|sbagliata)", r"pagamento (rifiutato|fallito)",
        r"costi nascosti",
    ),
    "pt": (
        r"cobrad[oa]s? (duas vezes|em dobro|a mais|indevidamente|varias vezes)",
        r"cobranca (duplicada|indevida|em dobro|a mais|errada)", r"(cobraram|debitaram) (duas vezes|a mais|em dobro)",
        r"valor (incorreto|errado)", r"fatura (incorreta|errada)", r"pagamento (recusado|falhou|rejeitado)",
        r"taxas? (ocultas?|inesperadas?)",
    ),
}

# Priority when no phrase matched, by normalised category (lower case, "_" and " " -> "-"). Others: Low.
CATEGORY_DEFAULTS: dict[str, str] = {"technical": MEDIUM, "bug": MEDIUM, "feature-request": LOW}
# Categories whose tickets stay Low unless a Critical or High phrase matches (a wish, not a fault).
LOW_UNLESS_URGENT_CATEGORIES = frozenset({"feature-request", "feature", "enhancement"})
BILLING_CATEGORIES = frozenset({"billing", "payment", "payments", "invoice", "invoicing"})

# Words that cancel a following phrase (checked in the three words before it, within the clause). The
# negators of the ticket's language and English apply (all of them when the language is unknown); words
# ending in "n't" (don't, isn't) and starting with "n'" (n'est, n'a) always count.
NEGATORS: dict[str, frozenset[str]] = {
    "en": frozenset({"not", "no", "never", "cannot", "without", "nothing", "none", "nor", "neither", "hardly"}),
    "fr": frozenset({"pas", "jamais", "sans", "aucun", "aucune", "ni", "rien", "ne", "non"}),
    "de": frozenset({"nicht", "kein", "keine", "keinen", "keiner", "keinem", "keines", "nie", "niemals",
                     "ohne", "weder"}),
    "es": frozenset({"no", "nunca", "sin", "ni", "tampoco", "jamas", "ningun", "ninguna", "nada"}),
    "it": frozenset({"non", "mai", "senza", "nessun", "nessuno", "nessuna", "niente", "nulla"}),
    "pt": frozenset({"nao", "nunca", "sem", "nem", "nenhum", "nenhuma", "nada", "jamais"}),
}
