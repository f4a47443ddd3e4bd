"""The « Définitions » section every report ends with: the period and parameters it was asked
with, then what each figure it shows counts (DESIGN §5, README "Reports: how each figure is
counted"), in the order the report shows them.

A figure is named exactly as the report labels it (the same msgid, so the same translation);
a row that defines several figures at once names them joined by ``SEPARATOR``. When a builder
gains a figure, its definition goes here: ``tests/reporting/test_report_definitions.py`` fails
for a key figure or a table without one.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from reporting.document import Column, Section, Table

SEPARATOR = " / "


def _names(*labels: str) -> str:
    return SEPARATOR.join(labels)


def _present_like() -> str:
    return _("présent·e, en retard, parti·e plus tôt")


def _attendance_rate() -> list[str]:
    return [
        _("Taux de présence"),
        _("Présences (%(present)s) sur toutes les présences enregistrées aux séances tenues.")
        % {"present": _present_like()},
    ]


def _activity() -> list[list[str]]:
    return [
        # Key figures
        [
            _("Personnes accompagnées"),
            _(
                "Personnes ayant un parcours ouvert au moins un jour de l'année (commencé au "
                "plus tard le 31/12, pas terminé avant le 01/01). Un parcours à cheval sur deux "
                "années compte dans les deux."
            ),
        ],
        [
            _("dont nouvelles personnes"),
            _(
                "Personnes accompagnées dont le premier parcours, tous programmes confondus, a "
                "commencé dans l'année."
            ),
        ],
        [
            _("Atteinte de l'objectif annuel"),
            _("Personnes accompagnées sur l'objectif annuel de l'organisation."),
        ],
        [
            _("Personnes sorties"),
            _(
                "Personnes dont un parcours s'est terminé dans l'année, chacune comptée une "
                "fois. Une sortie le 31/12 compte dans l'année."
            ),
        ],
        [
            _("Sorties positives (emploi ou formation)"),
            _(
                "Personnes dont un parcours s'est terminé dans l'année vers l'emploi ou la "
                "formation."
            ),
        ],
        [
            _("Taux de sorties positives"),
            _(
                "Sorties positives sur personnes accompagnées (comme le publient les Missions "
                "locales)."
            ),
        ],
        [
            _("Sorties positives parmi les sorties"),
            _("Sorties positives sur personnes sorties."),
        ],
        [
            _("Défraiements payés"),
            _("Montants des fiches mensuelles payées pour les mois de l'année."),
        ],
        # Five-year trend
        [
            _("Personnes accompagnées et sorties positives par année"),
            _(
                "Évolution sur cinq ans, de l'année du rapport moins quatre à l'année du "
                "rapport : personnes accompagnées, sorties positives et taux de sorties "
                "positives de chaque année, mêmes définitions."
            ),
        ],
        # Profile of the persons accompanied: one value per person, each table sums to them.
        [_("Genre"), _("Personnes accompagnées par genre enregistré.")],
        [
            _("Âge au 31 décembre"),
            _("Âge au 31 décembre de l'année : l'année du rapport moins l'année de naissance."),
        ],
        [
            _("Niveau de diplôme"),
            _("Niveau de diplôme enregistré (CITE) ; « inconnu » s'il n'est pas renseigné."),
        ],
        [
            _("Durée de recherche d'emploi à l'entrée en parcours"),
            _(
                "Mois entiers depuis l'inscription comme demandeur·euse d'emploi jusqu'au "
                "début du premier parcours ouvert dans l'année ; « inconnue » sans date "
                "d'inscription. Une personne inscrite après ce début compte dans « moins de 6 "
                "mois » (les rapports d'impact et FSE+ la comptent comme non demandeuse "
                "d'emploi à l'entrée)."
            ),
        ],
        [
            _("Commune"),
            _(
                "Commune de l'adresse ; « inconnue » si elle est vide ou si l'adresse est "
                "confidentielle."
            ),
        ],
        [
            _("Source de revenus"),
            _(
                "Source de revenus en vigueur le dernier jour d'accompagnement de l'année (le "
                "31/12, ou la dernière fin de parcours si tous se sont terminés dans l'année) ; "
                "« inconnue » si aucune."
            ),
        ],
        # Exits
        [
            _("Sorties de l'année par situation à la sortie"),
            _(
                "Parcours terminés dans l'année, par situation à la sortie : une personne qui "
                "quitte deux programmes compte deux sorties et une personne."
            ),
        ],
        [
            _("Sorties par groupe"),
            _("Les mêmes sorties, regroupées en emploi, formation et autre sortie."),
        ],
        # Chantiers
        [
            _("Chantiers de l'année"),
            _(
                "Chantiers dont les dates recouvrent l'année, ou qui ont tenu une séance dans "
                "l'année."
            ),
        ],
        [
            _("Participant·es aux chantiers"),
            _(
                "Personnes distinctes dont l'inscription (sélectionnée, active, terminée ou "
                "sortie en cours de route) recouvre l'année ; les candidat·es ne comptent pas."
            ),
        ],
        [
            _("Heures prestées"),
            _("Heures des présences (%(present)s) aux séances tenues dans l'année.")
            % {"present": _present_like()},
        ],
        [_("Séances tenues"), _("Séances de l'année à l'état « tenue ».")],
        _attendance_rate(),
        [
            _("Défraiements"),
            _(
                "Défraiements enregistrés sur les présences des séances de l'année, payés ou "
                "non ; les « défraiements payés » ne comptent que les fiches mensuelles payées."
            ),
        ],
        [
            _("Taux d'achèvement"),
            _(
                "Participations terminées sur participations terminées ou interrompues, parmi "
                "celles qui ont pris fin dans l'année (date de sortie, à défaut fin du chantier)."
            ),
        ],
        [_("Incidents"), _("Incidents datés de l'année.")],
        # Individual appointments (reporting.indicators.appointments)
        [
            _("Rendez-vous tenus"),
            _(
                "Rendez-vous individuels de l'année notés « tenu » dans l'agenda. Un "
                "rendez-vous est de l'année selon sa date à l'heure de Bruxelles : le 31/12 à "
                "23 h 30 compte dans l'année, le 01/01 à 0 h 15 dans la suivante."
            ),
        ],
        [
            _("Personnes rencontrées"),
            _("Personnes distinctes ayant eu au moins un rendez-vous tenu dans l'année."),
        ],
        [
            _("Heures des rendez-vous tenus"),
            _(
                "Durées des rendez-vous tenus additionnées, en heures : la durée réelle notée "
                "quand le rendez-vous a été dit tenu, à défaut la durée prévue."
            ),
        ],
        [
            _("Absences sans prévenir"),
            _("Rendez-vous de l'année notés « absence sans prévenir »."),
        ],
        [
            _("Taux d'absence"),
            _(
                "Absences sans prévenir sur rendez-vous tenus ou manqués (tenus plus absences "
                "sans prévenir). Les rendez-vous annulés et ceux à compléter n'y entrent pas ; "
                "tant qu'il reste des rendez-vous à compléter, le taux est provisoire."
            ),
        ],
        [_("Rendez-vous annulés"), _("Rendez-vous de l'année notés « annulé ».")],
        [
            _("Rendez-vous à compléter"),
            _(
                "Rendez-vous prévus dont l'heure est passée mais dont l'issue (tenu ou absence) "
                "n'est pas encore notée : comptés à part, ni parmi les rendez-vous tenus ni "
                "dans le taux d'absence."
            ),
        ],
        [
            _("Rendez-vous à venir"),
            _(
                "Rendez-vous prévus de l'année dont l'heure n'est pas encore venue (seulement "
                "dans le rapport de l'année en cours)."
            ),
        ],
        [
            _("Rendez-vous tenus par forme"),
            _(
                "Les rendez-vous tenus selon leur forme : en présentiel, par téléphone ou en "
                "visioconférence."
            ),
        ],
        # Trainings and certifications (reporting.indicators.trainings)
        [
            _("Certifications obtenues"),
            _(
                "Diplômes, certificats, permis ou licences et attestations de compétences "
                "obtenus dans l'année (du 01/01 au 31/12) par les personnes de l'organisation, "
                "qu'ils aient été notés par l'équipe ou par le partenaire qui les a délivrés."
            ),
        ],
        [
            _("Personnes certifiées"),
            _("Personnes distinctes ayant obtenu au moins une certification dans l'année."),
        ],
        [
            _("Personnes en formation"),
            _(
                "Personnes distinctes ayant suivi au moins une formation dans l'année, notée "
                "par l'équipe ou par le partenaire qui la donne."
            ),
        ],
        [
            _("Formations suivies"),
            _(
                "Formations commencées au plus tard le 31/12 et pas finies avant le 01/01, "
                "quelle que soit leur issue ; une formation encore « prévue » ne compte pas, "
                "même si ses dates sont passées. Une formation à cheval sur deux années est "
                "suivie dans les deux."
            ),
        ],
        [
            _("Formations terminées"),
            _("Formations notées « terminée » dont la date de fin tombe dans l'année."),
        ],
        [
            _("Formations abandonnées"),
            _(
                "Formations notées « abandonnée » dont la date de fin tombe dans l'année ; "
                "sans date de fin, c'est leur date de début qui compte."
            ),
        ],
        [
            _("Heures de formation"),
            _(
                "Heures suivies des formations terminées ou abandonnées dans l'année. Les "
                "heures d'une formation comptent une seule fois, l'année où elle finit, même "
                "si elle a commencé l'année précédente : jamais dans deux années."
            ),
        ],
        [
            _("Formations toujours en cours"),
            _(
                "Formations suivies dans l'année et notées « en cours » aujourd'hui, même si "
                "leur fin prévue est passée."
            ),
        ],
        [
            _("Heures des formations en cours"),
            _(
                "Heures suivies à ce jour des formations toujours en cours, montrées à part : "
                "elles ne sont pas ajoutées aux heures de formation de l'année et y compteront "
                "l'année où la formation finira."
            ),
        ],
        [
            _("Formations finies après l'année"),
            _(
                "Formations suivies dans l'année, terminées ou abandonnées après le 31/12 "
                "(seulement dans le rapport d'une année passée) : leurs heures comptent l'année "
                "de leur fin."
            ),
        ],
        [
            _("Certifications obtenues par type"),
            _(
                "Les certifications obtenues dans l'année selon leur type : diplôme, "
                "certificat, permis ou licence, attestation de compétences."
            ),
        ],
        [
            _("Formations suivies par organisme"),
            _(
                "Les formations suivies dans l'année selon le partenaire de l'application qui "
                "les donne ; celles d'un organisme qui n'en est pas un (noté en texte libre) "
                "sont regroupées en « Autre organisme »."
            ),
        ],
        # Collective modules (reporting.indicators.workshops)
        [
            _("Séances de modules tenues"),
            _(
                "Séances de modules collectifs de l'année (selon leur date), pas annulées, où au "
                "moins une personne est notée présente (%(present)s) ou au moins une visite "
                "libre est comptée. Une séance dont la grille n'est pas remplie n'est pas tenue."
            )
            % {"present": _present_like()},
        ],
        [
            _("Participant·es aux modules"),
            _(
                "Personnes distinctes notées présentes (%(present)s) à au moins une séance de "
                "l'année, tous modules confondus, y compris les personnes anonymisées depuis."
            )
            % {"present": _present_like()},
        ],
        [
            _("Heures de participation aux modules"),
            _(
                "Heures de ces présences additionnées : la durée de la séance, sauf si d'autres "
                "heures sont notées sur la grille (arrivée en retard, départ plus tôt). "
                "Deux personnes présentes deux heures font quatre heures de participation."
            ),
        ],
        [
            _("Modules collectifs par type"),
            _(
                "Les mêmes chiffres selon le type du module (atelier, séance d'information, "
                "séance EPN, autre). Une personne venue à des modules de deux types compte dans "
                "chacun : le total des personnes est le chiffre « Participant·es aux modules »."
            ),
        ],
        [
            _("Séances EPN tenues"),
            _("Séances tenues des modules de type « séance EPN »."),
        ],
        [
            _("Passages à l'EPN"),
            _(
                "Présences (%(present)s) des participant·es inscrit·es aux séances EPN tenues, "
                "plus les visiteur·euses libres compté·es à ces séances. Une personne venue à "
                "trois séances fait trois passages."
            )
            % {"present": _present_like()},
        ],
        [
            _("Personnes accueillies à l'EPN"),
            _(
                "Participant·es inscrit·es distinct·es présent·es à au moins une séance EPN "
                "tenue, plus les visiteur·euses libres. Les visiteur·euses libres sont anonymes "
                "et ne peuvent pas être dédoublonné·es : une personne revenue trois fois compte "
                "trois fois. Ce chiffre est donc un maximum."
            ),
        ],
        [
            _("Visiteur·euses libres"),
            _(
                "Personnes non inscrites accueillies aux séances EPN de l'année, comptées sans "
                "nom à chaque visite (une ligne peut compter plusieurs personnes venues "
                "ensemble)."
            ),
        ],
        [
            _("Visiteur·euses libres par aide apportée"),
            _(
                "Les visiteur·euses libres selon l'aide apportée notée à leur visite, chaque "
                "personne une fois par visite."
            ),
        ],
        [
            _("Visiteur·euses libres par tranche d'âge"),
            _("Les visiteur·euses libres selon la tranche d'âge notée à leur visite."),
        ],
        [
            _("Visiteur·euses libres par genre"),
            _("Les visiteur·euses libres selon le genre noté à leur visite."),
        ],
        # Volunteering and outreach (reporting.indicators.volunteers), when shown
        [
            _("Bénévoles actif·ves"),
            _(
                "Bénévoles de l'organisation ayant au moins une fiche de prestation validée datée "
                "de l'année, ou noté·e présent·e à une action de proximité de l'année : une "
                "personne active des deux façons compte une fois, même si son bénévolat a pris "
                "fin depuis. En note, les bénévoles inscrit·es dans l'année (bénévolat commencé "
                "au plus tard le 31/12, pas terminé avant le 01/01), actif·ves ou non."
            ),
        ],
        [
            _("Fiches de prestation validées"),
            _(
                "Fiches de prestation des bénévoles datées de l'année et validées par la "
                "coordination (une par personne et par jour). Une fiche à valider ou renvoyée "
                "pour correction ne compte pas."
            ),
        ],
        [
            _("Heures de bénévolat"),
            _("Heures notées sur les fiches de prestation validées de l'année, additionnées."),
        ],
        [
            _("Défraiements des bénévoles"),
            _(
                "Forfaits journaliers et indemnités kilométriques calculés pour les fiches de "
                "prestation validées de l'année, payés ou pas encore : une fois leur mois payé, "
                "ils sont aussi compris dans « Défraiements payés »."
            ),
        ],
        [
            _("Frais réels des bénévoles"),
            _(
                "Dépenses remboursées sur ticket (convention aux frais réels) des fiches de "
                "prestation validées de l'année, à part des défraiements."
            ),
        ],
        [
            _("Actions de proximité"),
            _(
                "Actions de proximité de l'organisation (travail de rue, permanence, stand) "
                "datées de l'année."
            ),
        ],
        [
            _("Personnes rencontrées en proximité"),
            _(
                "Personnes comptées à chaque action de proximité de l'année, additionnées, sans "
                "nom : une personne rencontrée à deux actions compte deux fois."
            ),
        ],
        [
            _("Signalements reçus"),
            _(
                "Signalements datés de l'année, relevés par un·e bénévole relais ou par "
                "l'équipe, avec leur état aujourd'hui."
            ),
        ],
        [
            _("Signalements pris en charge"),
            _(
                "Signalements reçus dans l'année dont l'équipe s'est chargée : pris en charge, "
                "clôturé après avoir été pris en charge, ou clôturé directement avec une autre "
                "suite que « Pas de suite nécessaire »."
            ),
        ],
        [
            _("Signalements clôturés"),
            _(
                "Signalements reçus dans l'année et clôturés aujourd'hui, pris en charge d'abord "
                "ou non. Un signalement clôturé directement sans suite nécessaire est clôturé "
                "sans avoir été pris en charge."
            ),
        ],
        [
            _("Signalements en attente"),
            _(
                "Signalements reçus dans l'année encore à prendre en charge aujourd'hui. Les "
                "signalements reçus sont ceux en attente, ceux pris en charge et ceux clôturés "
                "sans prise en charge."
            ),
        ],
        [
            _("Personnes rencontrées en proximité par genre"),
            _(
                "Les personnes rencontrées selon le genre compté à chaque action ; « Non "
                "précisé » : les personnes rencontrées moins les femmes et les hommes."
            ),
        ],
        [
            _("Personnes rencontrées en proximité par tranche d'âge"),
            _(
                "Les personnes rencontrées selon la tranche d'âge comptée à chaque action ; "
                "« Non précisé » : celles dont l'âge n'a pas été compté."
            ),
        ],
        [
            _("Thèmes des actions et besoins signalés"),
            _(
                "Pour chaque catégorie de besoin, les actions de proximité de l'année où le "
                "thème a été abordé (une action qui touche trois thèmes compte dans trois "
                "lignes) et les signalements reçus dans l'année pour ce besoin."
            ),
        ],
        [
            _("Signalements clôturés par suite donnée"),
            _("Les signalements reçus dans l'année et clôturés, selon la suite donnée."),
        ],
        # Needs, referrals, employers
        [
            _("Besoins identifiés et levés dans l'année"),
            _(
                "Besoins des personnes de l'organisation identifiés dans l'année, et besoins "
                "levés dans l'année, par catégorie."
            ),
        ],
        [
            _("Orientations envoyées dans l'année"),
            _(
                "Orientations envoyées dans l'année, par type du partenaire qui les reçoit et "
                "selon leur état aujourd'hui."
            ),
        ],
        [
            _("Employeurs contactés"),
            _("Employeurs distincts touchés par un contact de prospection daté de l'année."),
        ],
        [_("Contacts de prospection"), _("Contacts de prospection datés de l'année.")],
        [_("Mises en relation proposées"), _("Mises en relation proposées dans l'année.")],
        [_("Engagements"), _("Mises en relation passées à « engagé·e » dans l'année.")],
        [
            _("Mises en relation proposées dans l'année, par résultat"),
            _("Mises en relation proposées dans l'année, selon leur résultat aujourd'hui."),
        ],
    ]


def _subsidy() -> list[list[str]]:
    return [
        # At entry
        [
            _names(
                _("Situation le jour de l'entrée dans le programme"),
                _("Participant·es entré·es dans la période"),
            ),
            _(
                "Personnes dont un parcours du programme a commencé dans la période, jugées le "
                "jour de ce début. Chaque case compte des personnes distinctes, par genre "
                "(femmes, hommes, X)."
            ),
        ],
        [
            _("Chômeur·euses (demandeur·euses d'emploi)"),
            _("Inscrit·es comme demandeur·euses d'emploi au plus tard le jour de l'entrée."),
        ],
        [
            _("dont chômeur·euses de longue durée (≥ 12 mois)"),
            _("Inscrit·es depuis au moins 12 mois entiers le jour de l'entrée."),
        ],
        [
            _("Inactif·ves (pas demandeur·euses d'emploi)"),
            _(
                "Pas inscrit·es comme demandeur·euses d'emploi le jour de l'entrée (sans date "
                "d'inscription, ou inscrit·es après)."
            ),
        ],
        [
            _("Personnes exerçant un emploi"),
            _("Non enregistré par l'application : montré « — », jamais estimé."),
        ],
        [
            _names(_("Moins de 18 ans"), _("18 à 29 ans"), _("55 ans et plus")),
            _("Âge le jour de l'entrée."),
        ],
        [
            _names(
                _("Au plus secondaire inférieur (CITE 0–2)"),
                _("Secondaire supérieur (CITE 3–4)"),
                _("Supérieur (CITE 5–8)"),
                _("Niveau de diplôme inconnu"),
            ),
            _("Niveau de diplôme enregistré, selon la classification CITE (ISCED)."),
        ],
        [
            _("Ressortissant·es de pays tiers (hors UE)"),
            _("Personnes de nationalité hors Union européenne."),
        ],
        # At exit
        [
            _names(
                _("Situation à la sortie du programme"),
                _("Participant·es sorti·es dans la période"),
            ),
            _(
                "Personnes dont un parcours du programme s'est terminé dans la période, "
                "personnes distinctes par genre."
            ),
        ],
        [
            _("En recherche d'emploi à la sortie"),
            _("Recherche d'emploi notée à la clôture du parcours."),
        ],
        [
            _("Suivant un enseignement ou une formation à la sortie"),
            _("Parcours terminé vers une formation."),
        ],
        [
            _("Ayant obtenu une qualification à la sortie"),
            _("Qualification obtenue notée à la clôture du parcours."),
        ],
        [_("Exerçant un emploi à la sortie"), _("Parcours terminé vers l'emploi.")],
        # Six months after
        [
            _names(
                _("Suivi à 6 mois des sorties de la période"),
                _("Suivis à 6 mois réalisés"),
                _("Suivis à 6 mois échus mais pas réalisés (ni succès ni échec)"),
                _("Suivis à 6 mois pas encore échus"),
            ),
            _(
                "Suivis à 6 mois des parcours terminés dans la période. Seuls les suivis "
                "réalisés comptent ; ceux échus mais pas réalisés (manquants) et ceux pas encore "
                "échus sont montrés à part, ni succès ni échec."
            ),
        ],
        [
            _("Exerçant un emploi six mois après la sortie"),
            _("Suivi à 6 mois réalisé qui note un emploi."),
        ],
        [
            _("Situation améliorée six mois après la sortie"),
            _("Suivi à 6 mois réalisé qui note une situation améliorée."),
        ],
        # The programme's chantiers
        [
            _("Heures et défraiements par chantier du programme"),
            _(
                "Chantiers du programme dont les dates recouvrent la période, ou qui y ont tenu "
                "une séance."
            ),
        ],
        [
            _("Participant·es"),
            _(
                "Personnes inscrites (sélectionnées, actives, terminées ou sorties en cours de "
                "route) pendant la période ; au total, des personnes distinctes."
            ),
        ],
        [_("Séances tenues"), _("Séances de la période à l'état « tenue ».")],
        [
            _("Heures prestées (parcours du programme)"),
            _(
                "Heures des présences (%(present)s) aux séances tenues des chantiers du "
                "programme pendant la période, les jours où la personne avait un parcours du "
                "programme ouvert. Les heures de personnes sans parcours du programme ce "
                "jour-là sont montrées à part et ne sont pas comptées."
            )
            % {"present": _present_like()},
        ],
        _attendance_rate(),
        [
            _("Défraiements"),
            _(
                "Défraiements enregistrés sur les présences des séances de la période, payés ou "
                "non."
            ),
        ],
        [
            _("Rapprochement des heures"),
            _(
                "Des heures de toutes les présences sur les chantiers du programme aux heures "
                "prestées du rapport, qui sont le total de la liste des parcours du tableur."
            ),
        ],
        [
            _("Identification des personnes"),
            _(
                "Les listes du tableur identifient chaque personne par un pseudonyme (P000123, "
                "le numéro de sa fiche) ; les noms n'y figurent que si le rapport est demandé "
                "avec « Noms et prénoms »."
            ),
        ],
    ]


def _outcomes(*, who: str, pathway: str, pathways: str) -> list[list[str]]:
    """Exits of a cohort (impact) or of a chantier's group (chantier summary): ``who`` is "de la
    cohorte" or "du groupe" (as ``common.outcomes_blocks`` is given it), ``pathway`` and
    ``pathways`` which of their pathways count (one of them, all of them)."""
    return [
        [
            _("Personnes sorties"),
            _(
                "Personnes dont %(pathway)s est terminé, chacune comptée une fois, y compris "
                "celles qui sont encore dans un autre de ces parcours (la note dit combien)."
            )
            % {"pathway": pathway},
        ],
        [
            _("Sorties positives (emploi ou formation)"),
            _(
                "Personnes sorties dont le dernier de ces parcours terminés a mené à l'emploi ou "
                "à la formation (un parcours hors de la cohorte ne compte pas)."
            ),
        ],
        [
            _("Taux de sorties positives"),
            _(
                "Sorties positives sur personnes sorties : parmi les personnes sorties, pas "
                "parmi toutes les personnes suivies (le rapport d'activités, lui, divise par les "
                "personnes accompagnées)."
            ),
        ],
        [
            _("Toujours en parcours"),
            _("Personnes dont %(pathway)s est encore ouvert aujourd'hui.") % {"pathway": pathway},
        ],
        [
            _("Où en sont les personnes %(people)s") % {"people": who},
            _(
                "Chaque personne %(who)s est comptée une seule fois, d'après %(pathways)s "
                "seulement : encore en parcours (l'un d'eux est ouvert aujourd'hui), sortie "
                "(tous sont terminés), ou sans parcours (elle n'en a aucun)."
            )
            % {"who": who, "pathways": pathways},
        ],
        [
            _("Situation à la sortie"),
            _(
                "Personnes sorties selon la situation à la fin du dernier de ces parcours "
                "terminés ; chaque personne sortie est comptée une fois."
            ),
        ],
    ]


def _impact() -> list[list[str]]:
    return [
        [
            _("Personnes de la cohorte"),
            _(
                "Pour un programme et une année : les personnes dont un parcours du programme a "
                "commencé cette année-là. Pour un chantier : les personnes de son groupe "
                "(actives, ayant terminé ou sorties en cours de route), avec leurs parcours "
                "ouverts pendant la vie du chantier."
            ),
        ],
        [_("Genre"), _("Personnes de la cohorte par genre enregistré.")],
        [
            _("Âge à l'entrée"),
            _(
                "Âge le jour du début du premier parcours de la cohorte (pour un chantier, à "
                "défaut de parcours, le jour du début du chantier)."
            ),
        ],
        [
            _("Niveau de diplôme"),
            _("Niveau de diplôme enregistré (CITE) ; « inconnu » s'il n'est pas renseigné."),
        ],
        [
            _("Durée de recherche d'emploi à l'entrée"),
            _(
                "Mois entiers depuis l'inscription comme demandeur·euse d'emploi jusqu'à "
                "l'entrée ; sans inscription, ou inscrit·e après l'entrée : « pas "
                "demandeur·euse d'emploi »."
            ),
        ],
        [
            _("Source de revenus à l'entrée"),
            _("Source de revenus en vigueur le jour de l'entrée ; « inconnue » si aucune."),
        ],
        [
            _("Personnes selon leur taux de présence"),
            _(
                "Taux personnel : présences (%(present)s) sur toutes ses présences "
                "enregistrées aux séances tenues, par tranche. Pour un programme, sur les "
                "chantiers de l'organisation pendant ses parcours de la cohorte ; pour un "
                "chantier, sur ce chantier."
            )
            % {"present": _present_like()},
        ],
        [
            _("Besoins identifiés pendant le parcours et levés"),
            _(
                "Besoins identifiés pendant un parcours de la cohorte de la personne, et ceux "
                "levés à ce jour, par catégorie ; chaque besoin compte une fois. Part levée : "
                "levés sur identifiés."
            ),
        ],
        *_outcomes(
            who=_("de la cohorte"),
            pathway=_("un parcours de la cohorte"),
            pathways=_("ses parcours de la cohorte"),
        ),
        [
            _("Situation 3, 6 et 12 mois après la sortie"),
            _(
                "Personnes selon la situation notée aux suivis à 3, 6 et 12 mois des parcours "
                "terminés. Seuls les suivis réalisés comptent ; ceux pas encore échus et ceux "
                "échus mais pas réalisés sont montrés à part, ni succès ni échec."
            ),
        ],
    ]


def _chantier_summary() -> list[list[str]]:
    return [
        [_("Partenaire d'accueil"), _("Partenaire qui accueille le chantier.")],
        [_("Programme"), _("Programme auquel le chantier est rattaché.")],
        [_("Métier"), _("Métier exercé sur le chantier.")],
        [
            _names(_("Début"), _("Fin")),
            _(
                "Dates du chantier. Le bilan couvre toute sa vie : du début à la fin, ou "
                "jusqu'à aujourd'hui tant qu'il est en cours."
            ),
        ],
        [_("Places"), _("Nombre de places prévues dans le groupe.")],
        [_("État"), _("État du chantier le jour du bilan.")],
        [
            _("Personnes inscrites"),
            _(
                "Inscriptions sélectionnées, actives, terminées ou sorties en cours de route ; "
                "candidat·es à part."
            ),
        ],
        [
            _("Candidat·es non retenu·es ou en attente"),
            _("Inscriptions à l'état « candidat·e », pas comptées parmi les personnes inscrites."),
        ],
        [
            _("Inscriptions par état"),
            _(
                "Toutes les inscriptions du chantier, candidat·es compris, selon leur état "
                "aujourd'hui."
            ),
        ],
        [
            _("Séances tenues"),
            _("Séances du chantier à l'état « tenue », pendant la vie du chantier."),
        ],
        [
            _("Séances annulées"),
            _("Séances du chantier à l'état « annulée », quelle que soit leur date."),
        ],
        [
            _("Séances prévues"),
            _("Séances du chantier encore à l'état « prévue », quelle que soit leur date."),
        ],
        [
            _("Heures prestées"),
            _("Heures des présences (%(present)s) aux séances tenues.")
            % {"present": _present_like()},
        ],
        _attendance_rate(),
        [
            _("Défraiements"),
            _("Défraiements enregistrés sur les présences du chantier, payés ou non."),
        ],
        [
            _("Taux d'achèvement"),
            _(
                "Participations terminées sur participations terminées ou sorties en cours de "
                "route (terminées / (terminées + sorties)), parmi celles qui ont pris fin "
                "pendant la vie du chantier."
            ),
        ],
        [
            _("Incidents par type"),
            _("Incidents du chantier par type, en nombre seulement : ni description ni nom."),
        ],
        *_outcomes(
            who=_("du groupe"),
            pathway=_("un parcours suivi pendant la vie du chantier"),
            pathways=_("ses parcours suivis pendant la vie du chantier"),
        ),
    ]


DEFINITIONS = {
    "activity": _activity,
    "subsidy": _subsidy,
    "impact": _impact,
    "chantier_summary": _chantier_summary,
}


def definitions_section(
    kind: str, *, period_label: str, parameters: list[tuple[str, str]]
) -> Section:
    """The last section of a report of ``kind``: the period and the parameters it was asked
    with, then the definition of each figure it shows."""
    period = [_("Période"), period_label]
    # A report whose parameters include the period (the subsidy's) shows it once.
    shown = [[label, value] for label, value in parameters if [label, value] != period]
    return Section(
        _("Définitions"),
        [
            Table(
                title=_("Période et paramètres"),
                columns=[Column(_("Paramètre")), Column(_("Valeur"))],
                rows=[period, *shown],
            ),
            Table(
                title=_("Définitions des chiffres"),
                columns=[Column(_("Chiffre")), Column(_("Définition"))],
                rows=DEFINITIONS[kind](),
            ),
        ],
        new_page=True,
    )
